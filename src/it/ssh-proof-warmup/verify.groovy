def server = evaluate(new File(itSupportFile))
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
def proofs = log.readLines().findAll { it.startsWith('[INFO] PROOF: ') || it.startsWith('[WARNING] PROOF: ') }
server.check(proofs.size() == 2, "a proof per deploy but the first (nothing served before it): ${proofs}")
server.check(proofs[0].contains('[WARNING] PROOF: ') && (proofs[0] =~ /, [1-9]\d* failed \(\d+x no answer within 5000 ms/).find(),
        "the forced failure is reported: ${proofs[0]}")
server.check(log.contains('the deploy is done, but requests failed during it (bluegreen.requireZeroFailures): PROOF: '), 'and fails the build')
server.check((proofs[1] =~ /\[INFO\] PROOF: \d+ probes of http:\/\/127.0.0.1:\d+\/ during the switch and the drain, 0 failed; first answer from the new version at \+\d+ ms, last from the old one at \+\d+ ms/).find(),
        "v3's proof: nothing failed, both versions seen: ${proofs[1]}")

// warm-up: the 200 requests went to v3 directly (on 19080), none to v2, which was live meanwhile (kept on 19081)
server.check((log =~ /Warm-up: 200 requests to port 19080 \[\/warm, \/warm-too\] in [0-9.]+ (ms|s) \(4 at once\)/).find(), 'the warm-up is reported')
server.check(server.getDirect(19080, '/hits?path=/warm') == [200, '100'], "v3 got its warm-up requests: ${server.getDirect(19080, '/hits?path=/warm')}")
server.check(server.getDirect(19081, '/hits?path=/warm') == [200, '0'], "the live v2 got none: ${server.getDirect(19081, '/hits?path=/warm')}")
server.check(server.get('/') == [200, 'version=v3'], "v3 is live: ${server.get('/')}")
server.check(traffic.failed == '0', "no request of the load failed: ${traffic.failures}")
return true

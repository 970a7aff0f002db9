def it = evaluate(new File(itSupportFile))
def env = System.getenv()
def access = new File(env.BLUEGREEN_IT_DIR, 'nginx/logs/access.log')
def canaryLog = new File(env.BLUEGREEN_IT_DIR, 'nginx/logs/bluegreen-canary.log')
def first = new File(basedir, 'build.log').text
it.check(first.contains('No canary: nothing is live to compare the new version with; switching every request at once'), 'a first deploy: at once')

/** A deploy of VERSION (APPARGS: more of the app's; MAVENARGS) under 12 clients that give up after 3 s: [exit, build log, load, access log lines added]. */
def deploy = { String version, String appArgs, List<String> mavenArgs = [] ->
    def log = new File(basedir, "deploy-${version}.log")
    def linesBefore = access.readLines().size()
    it.startTraffic(new File(basedir, "traffic-${version}"), it.nginxUrl, 12, 3000)
    Thread.sleep(500)
    int exit = it.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', "-Dbluegreen.appArgs=--demo.version=${version}${appArgs}"] + mavenArgs, log).waitFor()
    def traffic = it.stopTraffic(new File(basedir, "traffic-${version}"))
    [exit, log.text, traffic, access.readLines().size() - linesBefore]
}
def requests = { Properties traffic -> traffic.findAll { k, v -> k.startsWith('version=') || k.startsWith('status.') }.values().sum { it as int } }
def row = { String log, int share -> log.readLines().find { it.contains("| ${share} % | ") } }

// a good release: promoted through both steps, nothing failed, the site's own access log got every request
def (exit, log, traffic, logged) = deploy('v2', '')
it.check(exit == 0, "v2 deployed: ${log.takeRight(3000)}")
it.check(log.contains('Canary: 20 % of the requests to the new version on port 19081') && log.contains('Canary: 50 %'), 'both steps')
// from here on v2 is live on 19081, each new release's canary on 19080
it.check(row(log, 20)?.endsWith('| passed |') && row(log, 50)?.endsWith('| passed |'), "both passed: ${row(log, 20)} ${row(log, 50)}")
it.check(traffic.failed == '0', "no request failed: ${traffic.failures}")
it.check(it.get('/') == [200, 'version=v2'], "v2 is live: ${it.get('/')}")
it.check(logged >= requests(traffic), "the site's access log got every request: ${logged} lines for ${requests(traffic)} requests")
it.check(canaryLog.readLines().any { it.endsWith(':19081') } && canaryLog.readLines().any { it.endsWith(':19080') },
        'the canary log has both colours')
def v2 = it.state('canary').'live.pid' as long

// a release failing 20 % of its requests: rolled back at the first step, the build fails with its numbers
(exit, log, traffic, logged) = deploy('v3', ',--demo.fail-percent=20')
it.check(exit != 0 && (log =~ /the canary failed at 20 %: the canary failed \d+ of \d+ requests \([0-9.]+ %\), the stable instance 0 of \d+/).find(),
        "v3's canary failed with its numbers: ${log.takeRight(3000)}")
it.check(row(log, 20)?.contains('| failed: '), "its row: ${row(log, 20)}")
it.check(log.contains('nginx routes every request to the live instance on port 19081 again'), 'every request back to v2')
it.check(it.get('/') == [200, 'version=v2'] && it.appPids() == [v2], "only v2 runs: ${it.appPids()}")
it.check(it.include().text.trim() == 'set $service_url http://127.0.0.1:19081;', "include: ${it.include().text}")
it.check(it.state('canary').phase == 'FAILED' && !new File(it.baseDir('canary'), 'deploy.lock').exists(), 'recorded, lock released')
def failures = traffic.failures.split(' \\| ').findAll { it }
it.check(failures.every { it.contains(' 500 ') }, "only the canary's 500s failed: ${traffic.failures}")
it.check((traffic.failed as int) * 100 < requests(traffic) * 5, "far fewer than blue/green's 20 %: ${traffic.failed} of ${requests(traffic)}")
it.check(logged >= requests(traffic), "every request logged by the site: ${logged} for ${requests(traffic)}")

// a release that hangs: the clients that gave up (nginx logs 499) fail it, or its step ends with too few answers
(exit, log, traffic, logged) = deploy('v4', ',--demo.hang=true')
it.check(exit != 0 && (log.contains('the canary failed at 20 %: the canary failed ') || log.contains('the canary failed at 20 %: the canary answered only')),
        "v4's canary failed: ${log.takeRight(3000)}")
it.check(!log.contains('Canary: 50 %'), 'no second step')
it.check(it.get('/') == [200, 'version=v2'] && it.appPids() == [v2], "only v2 runs: ${it.appPids()}")

// Maven killed during a canary: the next deploy routes every request back first, then replaces the canary's instance
def traffic5 = new File(basedir, 'traffic-killed')
it.startTraffic(traffic5, it.nginxUrl, 12, 3000)
def killedLog = new File(basedir, 'deploy-killed.log')
def killed = it.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', '-Dbluegreen.appArgs=--demo.version=v5',
        '-Dbluegreen.canaryStepSeconds=120'], killedLog)
for (int i = 0; i < 600 && !killedLog.text.contains('Canary: 20 %'); i++) {
    Thread.sleep(100)
}
killed.destroyForcibly().waitFor()
it.check(it.include().text.startsWith('# bluegreen canary: stable=19081 canary=19080 share=20'), "the split is left: ${it.include().text}")
it.check(it.state('canary').phase == 'CANARY', "phase: ${it.state('canary')}")
def statusLog = new File(basedir, 'status.log')
it.mvn(basedir, localRepositoryPath, ['bluegreen:status', '-Pbluegreen'], statusLog).waitFor()
it.check(statusLog.text.contains('nginx: a canary: 20 % of the requests to port 19080, the rest to the live instance'), statusLog.text)
def v5 = it.state('canary').'target.pid' as long
def recoverLog = new File(basedir, 'deploy-v6.log')
it.check(it.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', '-Dbluegreen.appArgs=--demo.version=v6', '-Dbluegreen.canary=50'],
        recoverLog).waitFor() == 0, "v6 deployed: ${recoverLog.text.takeRight(3000)}")
traffic = it.stopTraffic(traffic5)
def recovered = recoverLog.text
it.check(recovered.contains('A canary was left: nginx sends 20 % of the requests to port 19080: routing every request to port 19081 again'),
        "recovery: ${recovered.takeRight(3000)}")
it.check(recovered.contains("cut off after CANARY: its canary was ended: every request goes to port 19081 again"), 'reported')
it.check(new File(it.baseDir('canary'), 'history.log').text.contains('INTERRUPTED'), 'in the history')
it.check(!it.alive(v5), 'the canary instance of the killed deploy is gone')
it.check(it.get('/') == [200, 'version=v6'], "v6 is live: ${it.get('/')}")
it.check(traffic.failed == '0', "no request failed while the deploy was killed and recovered: ${traffic.failures}")

// sticky: by the client's address; this machine's requests (127.0.0.1: its last byte is in the 20 % step's buckets) all
// go to the canary during the step, none to the stable instance
(exit, log, traffic, logged) = deploy('v7', '', ['-Dbluegreen.canary=20', '-Dbluegreen.canarySticky'])
it.check(exit == 0 && log.contains('(remote_addr split, 19.9 % exactly)'), "v7 deployed, split by address: ${log.takeRight(3000)}")
it.check((row(log, 20) =~ /\| 20 % \| 100\.0 % \| [1-9]\d* \/ 0 \|/).find(), "one client, one colour: ${row(log, 20)}")
it.check(traffic.failed == '0', "no request failed: ${traffic.failures}")
return true

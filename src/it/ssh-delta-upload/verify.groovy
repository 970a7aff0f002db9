def server = evaluate(new File(itSupportFile))
File base = server.baseDir('delta-upload')
def deploy = { String name, String jar ->
    def log = new File(basedir, "${name}.log")
    [server.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', "-Ddemo.jar=${jar}"], log).waitFor(), log.text]
}
def sent = { String log ->
    def upload = (log =~ /Uploaded demo-app-v\d\.jar: (\d+) KiB sent, (\d+) KiB reused from earlier releases/)
    server.check(upload.find(), "the upload is reported: ${log.findAll(/.*Upload.*/)}")
    [upload.group(1) as long, upload.group(2) as long]
}
long jarKiB = new File(server.jar('v1')).length().intdiv(1024)

// an upload cut off in the middle (Maven killed while the bundle's data is on its way), then recovered by the next deploy
def cutLog = new File(basedir, '1-cut-upload.log')
def cut = server.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', '-Ddemo.jar=v1'], cutLog)
def partial = null
long deadline = System.currentTimeMillis() + 120_000
while (partial == null && cut.alive && System.currentTimeMillis() < deadline) {
    partial = new File(base, 'releases').listFiles()?.collectMany { it.listFiles()?.toList() ?: [] }?.find { it.name.endsWith('.bundle.data.tmp') && it.length() > 0 }
    Thread.sleep(5)
}
['kill', '-KILL', cut.pid() as String].execute().waitFor()
server.check(partial != null, "the upload was caught in the middle: ${cutLog.text.takeRight(2000)}")
server.startTraffic(new File(basedir, 'traffic'))
def (first, firstLog) = deploy('2-v1-after-the-cut', 'v1')
server.check(first == 0 && firstLog.contains('whose Maven process is gone: taking it over'), "the next deploy recovers: ${firstLog.takeRight(3000)}")
server.check(server.get('/') == [200, 'version=v1'], "v1 is live: ${server.get('/')}")

// v2 after v1: the libraries are reused, only the rest travels, and v2 (its changed classes and resources) is live
def (second, secondLog) = deploy('3-v2', 'v2')
server.check(second == 0, "v2: ${secondLog.takeRight(3000)}")
def (sentKiB, reusedKiB) = sent(secondLog)
server.check(sentKiB * 100 < jarKiB * 5 && reusedKiB > jarKiB * 0.9, "a fraction of the ${jarKiB} KiB jar travelled: ${sentKiB} KiB sent, ${reusedKiB} KiB reused")
server.check(server.get('/') == [200, 'version=v2'], "v2 is live, not v1: ${server.get('/')}")

// a blob on the server corrupted (same size): the rebuilt jar's SHA-256 tells, the whole jar goes instead
def blob = new File(base, 'blobs').listFiles().max { it.length() }
server.runAsUser(['sh', '-c', 'printf X | dd of="$1" bs=1 seek=1000 conv=notrunc 2>/dev/null', 'sh', blob.path])
server.runAsUser(['sh', '-c', 'rm -f "$1"/releases/*/demo-app-v1.jar*', 'sh', base.path])   // no earlier v1 jar to reuse as a whole
def (third, thirdLog) = deploy('4-v1-corrupt-blob', 'v1')
server.check(third == 0, "v1 again: ${thirdLog.takeRight(3000)}")
server.check(thirdLog.contains('the jar rebuilt from earlier releases is not the local one (a blob was corrupt): uploading the whole jar instead'),
        "the corrupt blob is detected: ${thirdLog.findAll(/.*(WARN|Upload).*/)}")
server.check(!blob.exists(), 'and dropped')
server.check(server.get('/') == [200, 'version=v1'], "v1 is live: ${server.get('/')}")
def state = server.state('delta-upload')
server.check(server.appPids() == [state.'live.pid' as long], "one app: ${server.appPids()}")
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
server.check(traffic.failed == '0', "no request failed: ${traffic.failures}")
return true

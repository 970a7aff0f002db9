def server = evaluate(new File(itSupportFile))
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
def check = { String text -> server.check(log.contains(text), "the build log should say: ${text}") }
def state = server.state('operations')
server.check(state.phase == 'DONE' && state.'live.port' == '19081' && server.get('/') == [200, 'version=v2'], "v2 live: ${state}")
server.check(server.appPids() == [state.'live.pid' as long], "one app: ${server.appPids()}")
server.check(traffic.failed == '0', "no request failed: ${traffic.failures}")

// hooks: the smoke test ran before each switch, the after-deploy hook heard of every outcome (not of the dry run)
server.check((log =~ /\[beforeSwitch\] version=v\d smoke test of \S+ \(PID \d+\) passed/).count == 2, 'the smoke test ran and passed twice')
check('the beforeSwitch hook exited with 1 (bluegreen.beforeSwitchHook): not switching')
def outcomes = new File(server.env.BLUEGREEN_IT_HOME, 'outcomes.txt').readLines()
server.check(outcomes.size() == 3 && outcomes[0].startsWith('DONE ') && outcomes[1].startsWith('FAILED ') && outcomes[2].startsWith('DONE ')
        && outcomes[1].contains('the beforeSwitch hook exited with 1'), "after-deploy outcomes: ${outcomes}")

// the dry run: the plan, with nothing uploaded (three releases: v1, the failed v2, v2)
check('DRY RUN: what a deploy would do now; nothing on the server is changed')
check('lock: free')
check('target: port 19081, free')
check("  upload ${server.env.BLUEGREEN_IT_APPS}/demo-app-v2.jar")
check("  start: 'start' 'base=")
check('bluegreen:cleanup: dry run, nothing to do')
server.check(new File(server.baseDir('operations'), 'releases').list().length == 3, 'the dry run uploaded nothing')

// bluegreen:logs: the live app's output
check('== ' + new File(server.baseDir('operations'), 'releases').path)
check('Started DemoApplication')

// bluegreen:logs -Dfollow: new lines as they come, until interrupted
def followLog = new File(basedir, 'follow.log')
def follow = server.mvn(basedir, localRepositoryPath, ['bluegreen:logs', '-Pbluegreen', '-Dfollow', '-Dbluegreen.lines=5'], followLog)
try {
    for (int i = 0; i < 600 && !(followLog.exists() && followLog.text.contains('following until interrupted')); i++) {
        Thread.sleep(50)
    }
    Thread.sleep(1000)
    def appLog = new File(server.baseDir('operations'), "releases/${state.'live.release'}/19081.log")
    server.runAsUser(['sh', '-c', 'echo "a line written while following" >> "$1"', 'sh', appLog.path])
    for (int i = 0; i < 200 && !followLog.text.contains('a line written while following'); i++) {
        Thread.sleep(50)
    }
    server.check(followLog.text.contains('[INFO] a line written while following'), "followed: ${followLog.text.takeRight(1500)}")
} finally {
    follow.destroyForcibly()
}
return true

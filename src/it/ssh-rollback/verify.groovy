def it = evaluate(new File(itSupportFile))
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
def state = it.state('rollback')
def check = { String text -> it.check(log.contains(text), "the build log should say: ${text}") }

it.check(state.kind == 'ROLLBACK' && state.phase == 'DONE', "state: ${state}")
def v1Release = state.'live.release'
check("Starting the previous release ${v1Release} again")
it.check(it.get('/') == [200, 'version=v1'], "nginx serves v1 again: ${it.get('/')}")
it.check(it.appPids() == [state.'live.pid' as long], "one app left: ${it.appPids()}")
it.check(traffic.failed == '0', "no request may fail: ${traffic.failures}")

// status (goal 4)
check("[INFO] nginx: set \$service_url http://127.0.0.1:${state.'live.port'};")
check("[INFO] port ${state.'live.port'} (LIVE): PID ${state.'live.pid'}, up ")
check("health HTTP 200 {\"status\":\"UP\"")
check("release ${v1Release} (live")
check("[INFO] lock: free")
def history = log.readLines().findAll { it =~ /^\[INFO\]   \d{8}-\d{6}-[0-9a-f]{4} (deploy|rollback) DONE / }
it.check(history.size() == 3, "three deploys in the history: ${history}")
it.check(history[2].contains(' rollback DONE '), "the last one is the rollback: ${history}")
return true

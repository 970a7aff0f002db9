def it = evaluate(new File(itSupportFile))
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
println "traffic through nginx: ${traffic}"

def (status, body) = it.get('/')
it.check(status == 200 && body == 'version=v2', "nginx should serve v2, got ${status} ${body}")
def state = it.state('second-deploy')
it.check(state.phase == 'DONE' && state.'live.port' == '19081', "state: ${state}")
it.check(state.'previous.port' == '19080', "previous: ${state.'previous.port'}")
long oldPid = state.'previous.pid' as long
it.check(!it.alive(oldPid), "the old v1 process ${oldPid} must be gone")
it.check(it.appPids() == [state.'live.pid' as long], "exactly one app should run: ${it.appPids()}")
it.check(log.contains("Old instance on port 19080 (PID ${oldPid}): terminated"), 'the old app is stopped gracefully')

it.check(traffic.failed == '0', "no request may fail: ${traffic.failures}")
it.check((traffic.'version=v1' as int) > 0 && (traffic.'version=v2' as int) > 0, "both versions answered: ${traffic}")
return true

def it = evaluate(new File(itSupportFile))
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
def pids = new Properties()
new File(basedir, 'pids.properties').withReader { pids.load(it) }

it.check(log.contains("Adopting the live app on port 19081 (PID ${pids.live}"), 'the live app started by the old script is adopted')
int switched = log.indexOf('nginx now routes to port 19080')
int stopped = log.indexOf("Old instance on port 19081 (PID ${pids.live}): terminated")
it.check(switched > 0 && stopped > switched, 'the live app is stopped only after the switch')
it.check(!it.alive(pids.stale as long) && !it.alive(pids.live as long), 'stale and old live instances are gone')
it.check(it.get('/') == [200, 'version=v2'], "nginx serves v2: ${it.get('/')}")
it.check(it.appPids() == [it.state('both-listening').'live.pid' as long], "one app left: ${it.appPids()}")
it.check(traffic.failed == '0', "no request may fail: ${traffic.failures}")
return true

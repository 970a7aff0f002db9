def it = evaluate(new File(itSupportFile))
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
long stale = new File(basedir, 'stale.pid').text as long

it.check(log.contains("Stopped a stale instance on port 19081 (PID ${stale}"), 'start reports the stale instance it stopped')
it.check(!it.alive(stale), "the stale instance ${stale} is gone")
def (status, body) = it.get('/')
it.check(status == 200 && body == 'version=v2', "nginx serves v2: ${status} ${body}")
def state = it.state('stale-instance')
it.check(it.appPids() == [state.'live.pid' as long], "one app left: ${it.appPids()}")
it.check(traffic.failed == '0', "no request may fail: ${traffic.failures}")
return true

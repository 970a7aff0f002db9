def it = evaluate(new File(itSupportFile))
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
it.check((log =~ /The deploy lock belongs to deploy \S+ by \S+ \(Maven PID \d+\), started .* ago, whose Maven process is gone: taking it over/).find(),
        'the dead deploy lock is taken over with a warning')
def orphan = (log =~ /Stopped a stale instance on port 19081 \(PID (\d+)/)
it.check(orphan.find(), 'the orphaned instance of the unfinished deploy is stopped')
it.check(!it.alive(orphan.group(1) as long), 'and gone')
def state = it.state('killed-between-goals')
it.check(state.phase == 'DONE' && state.'live.port' == '19081', "clean state: ${state}")
it.check(it.get('/') == [200, 'version=v2'], "nginx serves v2: ${it.get('/')}")
it.check(it.appPids() == [state.'live.pid' as long], "one app left: ${it.appPids()}")
it.check(traffic.failed == '0', "no request may fail: ${traffic.failures}")
return true

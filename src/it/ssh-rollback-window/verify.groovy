def it = evaluate(new File(itSupportFile))
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
def state = it.state('rollback-window')
def v1 = (log =~ /Started PID (\d+) on port 19080/)
it.check(v1.find(), 'v1 was started once, on 19080')
long v1Pid = v1.group(1) as long

it.check(log.contains("Keeping the old instance on port 19080 (PID ${v1Pid}) for 5 min 00 s (bluegreen.keepOldSeconds)"), 'v1 kept after the switch to v2')
it.check(log.contains("still runs on port 19080 (PID ${v1Pid}): rolling back is a switch only"), 'the rollback reuses v1')
it.check((log =~ /Started PID \d+ on port/).count == 2, 'the rollback started nothing')
it.check(state.'live.pid' as long == v1Pid && state.'live.port' == '19080', "the same v1 process is live: ${state}")
it.check(it.get('/') == [200, 'version=v1'], "nginx serves v1: ${it.get('/')}")
it.check(traffic.failed == '0', "no request may fail: ${traffic.failures}")
// the rollback ran without keepOldSeconds: v2 was stopped once nginx's old workers were done
it.check(it.appPids() == [v1Pid], "only v1 is left: ${it.appPids()}")
return true

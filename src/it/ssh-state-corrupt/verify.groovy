def it = evaluate(new File(itSupportFile))
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
it.check(log.contains("[WARNING] Ignoring the state file ${it.baseDir('state-corrupt')}/state.properties (unknown phase 'SWITCH'): nginx's include and the ports decide what is live"), 'warned')
it.check(log.contains('nginx now routes to port 19081'), 'deployed to the port that was really idle')
it.check(!it.alive(new File(basedir, 'live.pid').text as long), 'the old live app is stopped after the switch')
it.check(it.get('/') == [200, 'version=v2'], "nginx serves v2: ${it.get('/')}")
def state = it.state('state-corrupt')
it.check(state.phase == 'DONE' && state.'live.port' == '19081', "state corrected: ${state}")
it.check(traffic.failed == '0', "no request may fail: ${traffic.failures}")
return true

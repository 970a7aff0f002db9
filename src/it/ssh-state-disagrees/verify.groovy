def it = evaluate(new File(itSupportFile))
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
it.check(log.contains("[WARNING] The state file says port 19081 is live, but nginx routes to 19080: nginx's include wins"), 'warned')
it.check(log.contains('nginx now routes to port 19081'), 'deployed to the port that was really idle')
it.check(!it.alive(new File(basedir, 'live.pid').text as long), 'the old live app is stopped after the switch')
it.check(it.get('/') == [200, 'version=v2'], "nginx serves v2: ${it.get('/')}")
def state = it.state('state-disagrees')
it.check(state.phase == 'DONE' && state.'live.port' == '19081', "state corrected: ${state}")
it.check(traffic.failed == '0', "no request may fail: ${traffic.failures}")
return true

// runner=systemd: v2 never becomes healthy; its unit is stopped and disabled, v1's is untouched and serves throughout.
def server = evaluate(new File(itSupportFile))
String app = 'sd-failed-release'
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
def state = server.sdState(app)
server.check(state.phase == 'FAILED' && state.'live.port' == '8080', "the failure is recorded, v1 live: ${state}")
server.check(log.contains('did not become healthy within 15.0 s'), 'the build says why')
server.check(log.contains("Last lines of the journal of ${app}@8081.service"), 'with the unit journal tail')
server.check(log.contains('It was stopped; nginx and the live app are untouched.'), 'and what it did')
def blue = server.sdUnit("${app}@8080.service")
def green = server.sdUnit("${app}@8081.service")
server.check(blue.ActiveState == 'active' && blue.UnitFileState == 'enabled' && blue.NRestarts == '0', "v1 untouched: ${blue}")
server.check(green.ActiveState == 'inactive' && green.UnitFileState != 'enabled', "v2 stopped and disabled: ${green}")
server.check(server.sdAppPids() == [blue.MainPID as long], "only v1 runs: ${server.sdAppPids()}")
server.check(server.sdGet('/') == [200, 'version=v1'], "nginx serves v1: ${server.sdGet('/')}")
server.check(!server.sd('root', "ls /home/deploy/bluegreen/${app}").contains('deploy.lock'), 'the lock is released')
server.check(traffic.failed == '0', "no request failed: ${traffic.failures}")
return true

// runner=systemd: v2 (other JVM options, so its unit settings differ) never becomes healthy; its unit is stopped and
// disabled, v1's is untouched (its definition byte for byte as before) and serves throughout.
def server = evaluate(new File(itSupportFile))
String app = 'sd-failed-release'
def unitOf = { int port -> server.sd('deploy', "XDG_RUNTIME_DIR=/run/user/\$(id -u) systemctl --user cat ${app}@${port}.service") }
String liveBefore = unitOf(8080)
File logFile = new File(basedir, 'v2.log')
def v2 = server.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', '-Ddemo.jar=v2', '-Dbluegreen.appArgs=--demo.health=DOWN',
        '-Dbluegreen.healthTimeoutSeconds=15', '-Dbluegreen.jvmArgs=-Dfailed.release=true'], logFile)
server.check(v2.waitFor() != 0, 'the deploy of v2 fails')
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
def log = logFile.text
server.check(unitOf(8080) == liveBefore, "the live unit's definition is byte for byte as before: ${unitOf(8080)}")
server.check(unitOf(8081).contains('-Dfailed.release=true') && !liveBefore.contains('-Dfailed.release=true'),
        "the failed release's settings are its own unit's only: ${unitOf(8081)}")
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

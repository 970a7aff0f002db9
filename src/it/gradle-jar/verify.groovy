def it = evaluate(new File(itSupportFile))
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
def state = it.state('pium')
it.check(state.phase == 'DONE' && it.get('/') == [200, 'version=v1'], "the Gradle-built jar is live: ${state}")
it.check(state.'target.artifact' == 'pium.jar' && state.'live.jar'.endsWith("/releases/${state.deployId}/pium.jar"), "as pium.jar: ${state}")
it.check(log.contains('Uploaded pium.jar'), 'uploaded from build/libs')
it.check(!log.contains('maven-jar-plugin') && !log.contains('maven-compiler-plugin'), 'the project built nothing itself')
it.check(traffic.failed == '0', "no request failed: ${traffic.failures}")
return true

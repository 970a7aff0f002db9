def it = evaluate(new File(itSupportFile))
def log = new File(basedir, 'build.log').text
it.check(log.contains('First deploy: nothing is live behind nginx yet; target port 19080'), 'detect should report a first deploy')
it.check(log.contains('SUMMARY: release'), 'cleanup should print the summary')

def (status, body) = it.get('/')
it.check(status == 200 && body == 'version=v1', "nginx should serve v1, got ${status} ${body}")
it.check(it.include().text.trim() == 'set $service_url http://127.0.0.1:19080;', "include: ${it.include().text}")

def state = it.state('first-deploy')
it.check(state.phase == 'DONE', "phase ${state.phase}")
it.check(state.'live.port' == '19080', "live port ${state.'live.port'}")
it.check(it.appPids() == [state.'live.pid' as long], "exactly the live app should run: ${it.appPids()} vs ${state.'live.pid'}")
it.check(!new File(it.baseDir('first-deploy'), 'deploy.lock').exists(), 'the lock must be released')
def jar = new File(state.'live.jar')
it.check(jar.isFile() && jar.path.contains("/releases/${state.deployId}/"), "release jar ${jar}")
return true

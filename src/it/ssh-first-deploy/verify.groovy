def it = evaluate(new File(itSupportFile))
def log = new File(basedir, 'build.log').text
it.check(log.contains('First deploy: nothing is live behind nginx yet; target port 19080'), 'detect should report a first deploy')
it.check(log.contains('SUMMARY: release'), 'cleanup should print the summary')

def (status, body) = it.get('/')
it.check(status == 200 && body == 'version=s3cr3t-v1', "nginx should serve the app, which got DEMO_VERSION from the environment file: ${status} ${body}")
// the secrets reached the app, and nothing else: not the -X build log, not its command line
it.check(!log.contains('s3cr3t-v1') && !log.contains('t0ken-from-ci-9f3a'), 'no secret value in the -X build log')
it.check(log.contains('[DEBUG]'), 'the build ran with -X')
it.check(it.include().text.trim() == 'set $service_url http://127.0.0.1:19080;', "include: ${it.include().text}")

def state = it.state('first-deploy')
it.check(state.phase == 'DONE', "phase ${state.phase}")
it.check(state.'live.port' == '19080', "live port ${state.'live.port'}")
it.check(it.appPids() == [state.'live.pid' as long], "exactly the live app should run: ${it.appPids()} vs ${state.'live.pid'}")
it.check(!new File(it.baseDir('first-deploy'), 'deploy.lock').exists(), 'the lock must be released')
def jar = new File(state.'live.jar')
it.check(jar.isFile() && jar.path.contains("/releases/${state.deployId}/"), "release jar ${jar}")
def environ = new File("/proc/${state.'live.pid'}/environ").text.split('\u0000') as List
it.check(environ.contains('API_TOKEN=t0ken-from-ci-9f3a') && environ.contains('DEMO_VERSION=s3cr3t-v1'), 'the app has both secrets')
it.check(!new File("/proc/${state.'live.pid'}/cmdline").text.contains('s3cr3t'), 'never on its command line')
// on GitHub Actions the job's summary page gets the deploy (GITHUB_STEP_SUMMARY names the file)
def summary = new File(basedir, 'step-summary.md').text
it.check(summary.contains('### bluegreen:cleanup') && summary.contains("| ${state.'live.release'} | 19080 |") && summary.contains('| DONE |'),
        "the step summary names the release, port and outcome: ${summary}")
return true

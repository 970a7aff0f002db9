def it = evaluate(new File(itSupportFile))
it.resetServer()
// what the seed script leaves: v1 live on 19081 (no state file), a failed deploy's instance, DOWN, on 19080
def old = new File(it.env.BLUEGREEN_IT_HOME, 'old-script')
it.runAsUser(['mkdir', '-p', old.path])
it.runAsUser(['cp', it.jar('v1'), "${old}/demo-app-v2.jar"])
long live = it.startApp("${old}/demo-app-v2.jar", 19081)
long stale = it.startApp("${old}/demo-app-v2.jar", 19080, ['--demo.health=DOWN'])
it.routeTo(19081)
def before = it.get('/')
it.check(before == [200, 'version=v1'], "v1 is live before the deploy: ${before}")
new File(basedir, 'pids.properties').text = "live=${live}\nstale=${stale}\n"
it.startTraffic(new File(basedir, 'traffic'))
return true

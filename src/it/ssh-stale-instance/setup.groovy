def it = evaluate(new File(itSupportFile))
it.resetServer()
// a jar of the same name as the one deployed next, running on the port that will be idle after the first deploy
def leftover = new File(it.env.BLUEGREEN_IT_HOME, 'leftover/demo-app-v2.jar')
it.runAsUser(['mkdir', '-p', leftover.parent])
it.runAsUser(['cp', it.jar('v1'), leftover.path])
long stale = it.startApp(leftover.path, 19081)
new File(basedir, 'stale.pid').text = stale
it.startTraffic(new File(basedir, 'traffic'))
return true

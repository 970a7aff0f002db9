def it = evaluate(new File(itSupportFile))
it.resetServer()
long live = it.startApp(it.jar('v1'), 19080)
it.routeTo(19080)
// the state file claims 19081 is live (and a half-written line): nginx's include says 19080
def state = new File(it.baseDir('state-disagrees'), 'state.properties')
it.runAsUser(['mkdir', '-p', state.parent])
it.runAsUser(['sh', '-c', 'printf "phase=DONE\\nlive.port=19081\\nlive.pid=1\\nlive.release=x\\n" > "$1"', 'sh', state.path])
new File(basedir, 'live.pid').text = live
it.startTraffic(new File(basedir, 'traffic'))
return true

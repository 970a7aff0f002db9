def it = evaluate(new File(itSupportFile))
it.setupLiveV1WithTraffic(basedir)
// the state file claims 19081 is live: nginx's include says 19080
def state = new File(it.baseDir('state-disagrees'), 'state.properties')
it.runAsUser(['mkdir', '-p', state.parent])
it.runAsUser(['sh', '-c', 'printf "phase=DONE\\nlive.port=19081\\nlive.pid=1\\nlive.release=x\\n" > "$1"', 'sh', state.path])
return true

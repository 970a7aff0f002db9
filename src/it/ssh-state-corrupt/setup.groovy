def it = evaluate(new File(itSupportFile))
it.setupLiveV1WithTraffic(basedir)
// a state file cut off mid-write by a full disk: not a valid state
def state = new File(it.baseDir('state-corrupt'), 'state.properties')
it.runAsUser(['mkdir', '-p', state.parent])
it.runAsUser(['sh', '-c', 'printf "phase=SWITCH\\nlive.port=190" > "$1"', 'sh', state.path])
return true

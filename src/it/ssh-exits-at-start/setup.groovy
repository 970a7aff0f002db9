def it = evaluate(new File(itSupportFile))
it.setupLiveV1WithTraffic(basedir)
return true

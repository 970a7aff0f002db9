def it = evaluate(new File(itSupportFile))
it.sdReset()
it.startTraffic(new File(basedir, 'traffic'), it.sdUrl)
return true

def it = evaluate(new File(itSupportFile))
it.resetServer()
it.startTraffic(new File(basedir, 'traffic'))
return true

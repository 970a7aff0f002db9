def it = evaluate(new File(itSupportFile))
it.resetServer()
it.runAsUser(['rm', '-f', "${it.env.BLUEGREEN_IT_HOME}/outcomes.txt"])
it.startTraffic(new File(basedir, 'traffic'))
return true

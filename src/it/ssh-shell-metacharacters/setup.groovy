def it = evaluate(new File(itSupportFile))
it.resetServer()
(1..4).each { new File("/tmp/bluegreen-pwned-${it}").delete() }
it.runAsUser(['rm', '-rf', "${it.env.BLUEGREEN_IT_HOME}/blue green"])
return true

def it = evaluate(new File(itSupportFile))
it.resetServer()
it.check(it.appPids().isEmpty(), "the server should be empty, found apps ${it.appPids()}")
it.check(!it.include().exists(), "no include expected before the first deploy")
return true

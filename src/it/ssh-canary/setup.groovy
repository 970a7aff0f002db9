def it = evaluate(new File(itSupportFile))
it.resetServer()
return true

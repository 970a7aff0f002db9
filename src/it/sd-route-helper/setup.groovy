def it = evaluate(new File(itSupportFile))
it.sdReset()
return true

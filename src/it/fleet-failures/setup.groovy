def server = evaluate(new File(itSupportFile))
server.fleetReset()
return true

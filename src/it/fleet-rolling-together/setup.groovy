def server = evaluate(new File(itSupportFile))
server.fleetReset()
server.startTraffic(new File(basedir, 'traffic'), server.frontUrl)
return true

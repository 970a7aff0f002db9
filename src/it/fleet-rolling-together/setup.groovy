def server = evaluate(new File(itSupportFile))
server.fleetReset()
def first = new File(basedir, 'first-deploy.log')
server.check(server.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', '-Ddemo.jar=v1', '-Dbluegreen.switchMode=together'], first)
        .waitFor() == 0, "the first deploy to the empty fleet: ${first.text.takeRight(3000)}")
server.startTraffic(new File(basedir, 'traffic'), server.frontUrl)
return true

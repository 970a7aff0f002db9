def server = evaluate(new File(itSupportFile))   // not 'it': the closures below have their own
server.resetServer()
server.startTraffic(new File(basedir, 'traffic'))
// the second deploy: started as soon as the first one holds the lock; it queues instead of failing
def lock = new File(server.baseDir('lock-wait'), 'deploy.lock')
def second = new File(basedir, 'second-deploy.log')
Thread.start('second-deploy') {
    for (int i = 0; i < 6000 && !lock.exists(); i++) {
        Thread.sleep(20)
    }
    def process = server.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', '-Ddemo.jar=v2', '-Dbluegreen.lockWaitSeconds=300'], second)
    server.writeWhole(new File(basedir, 'second-deploy.exit'), process.waitFor() as String)
}
return true

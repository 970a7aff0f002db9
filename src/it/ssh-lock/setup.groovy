def server = evaluate(new File(itSupportFile))   // not 'it': the closure below has its own
server.resetServer()
def lock = new File(server.baseDir('lock'), 'deploy.lock')
server.runAsUser(['mkdir', '-p', lock.parent])
server.runAsUser(['sh', '-c', 'printf "deployId=20260101-000000-dead\\nuser=ann\\nhost=build-box-2\\npid=4242\\nsince=2026-01-01T00:00:00Z\\n" > "$1"', 'sh', lock.path])

// the second deploy: started as soon as build 2 (forceUnlock) has taken the lock
def second = new File(basedir, 'second-deploy.log')
Thread.start('second-deploy') {
    long deadline = System.currentTimeMillis() + 10 * 60 * 1000
    while (System.currentTimeMillis() < deadline) {
        String holder = null
        try {
            holder = lock.exists() ? lock.text : null
        } catch (IOException ignored) {
            // build 2 removed the stale lock between the two calls: not taken yet
        }
        if (holder != null && !holder.contains('build-box-2')) {
            def out = new File(basedir, 'second-deploy.out')
            int exit = server.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', '-Ddemo.jar=v2'], out).waitFor()
            server.writeWhole(second, "exit=${exit}\n${out.text}")
            return
        }
        Thread.sleep(20)
    }
}
return true

def it = evaluate(new File(itSupportFile))
it.resetServer()
def lock = new File(it.baseDir('lock'), 'deploy.lock')
it.runAsUser(['mkdir', '-p', lock.parent])
it.runAsUser(['sh', '-c', 'printf "deployId=20260101-000000-dead\\nuser=ann\\nhost=build-box-2\\npid=4242\\nsince=2026-01-01T00:00:00Z\\n" > "$1"', 'sh', lock.path])

// the second deploy: started as soon as build 2 (forceUnlock) has taken the lock; like the invoker's builds it
// takes what it needs from the outer local repository
def second = new File(basedir, 'second-deploy.log')
def outerRepo = new File(System.getProperty('user.home'), '.m2/repository').toURI()
def settings = new File(basedir, 'second-settings.xml')
settings.text = """<settings><profiles><profile><id>outer</id>
  <repositories><repository><id>outer</id><url>${outerRepo}</url></repository></repositories>
  <pluginRepositories><pluginRepository><id>outer</id><url>${outerRepo}</url></pluginRepository></pluginRepositories>
</profile></profiles><activeProfiles><activeProfile>outer</activeProfile></activeProfiles></settings>"""
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
            def mvn = ['mvn', '-B', '-ntp', '-s', settings.path, "-Dmaven.repo.local=${localRepositoryPath}", '-f', new File(basedir, 'pom.xml').path,
                       'deploy', '-Pbluegreen', '-Ddemo.jar=v2']
            def process = mvn.execute(null as List, basedir)
            def out = new StringBuilder()
            process.waitForProcessOutput(out, out)
            second.text = "exit=${process.exitValue()}\n${out}"
            return
        }
        Thread.sleep(20)
    }
}
return true

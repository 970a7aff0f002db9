// A short seeded run of the fault campaign (bench/chaos/Chaos.java) against the test server: the process runner over
// SSH, the base directory on a small file system of its own (the disk-full fault fills it). 10 rounds, seed 3113 (chosen
// because its ten rounds draw every fault against an operation that changes something: Maven killed and the disk full
// during a deploy, the live app killed and the server command killed during a rollback, and the rest).
def server = evaluate(new File(itSupportFile))
File base = server.baseDir('chaos')
server.runAsUser(['mkdir', '-p', base.path])
String uid = server.run(['id', '-u', server.env.BLUEGREEN_IT_USER]).trim()
server.run(['mount', '-t', 'tmpfs', '-o', "size=128m,mode=0700,uid=${uid},gid=${uid}", 'tmpfs', base.path])
try {
    def target = new Properties()
    target.name = 'process runner, SSH (IT)'
    target.pom = new File(basedir, 'pom.xml').path
    target.url = server.nginxUrl as String
    target.log = new File(basedir, 'chaos-logs').path
    ['-s', server.outerSettings(basedir).path, "-Dmaven.repo.local=${localRepositoryPath}"].eachWithIndex { arg, i ->
        target.setProperty("maven.${i}" as String, arg as String)
    }
    target.hosts = '1'
    target.'host.0.exec' = ''
    target.'host.0.base' = base.path
    target.'host.0.include' = server.include().path
    target.'host.0.user' = server.env.BLUEGREEN_IT_USER
    target.'host.0.diskfull' = 'true'
    File file = new File(basedir, 'target.properties')
    file.withWriter { target.store(it, null) }
    File out = new File(basedir, 'chaos.out')
    def chaos = new ProcessBuilder('java', "${server.env.BLUEGREEN_IT_TOOLS}/../bench/chaos/Chaos.java", file.path, '10', '3113')
            .redirectErrorStream(true).redirectOutput(out).start()
    int exit = chaos.waitFor()
    println out.text
    server.check(exit == 0, "the campaign holds every invariant: ${out.readLines().findAll { it.contains('VIOLATION') }}")
    server.check(out.text.contains('CHAOS process runner, SSH (IT): 10 rounds, seed 3113,') && out.text.contains(' 0 failed, '),
            "10 rounds, no request failed: ${out.readLines().find { it.startsWith('CHAOS ') }}")
} finally {
    server.run(['umount', '--lazy', base.path])   // lazy: the last round's app still runs from it until the next reset
}
return true

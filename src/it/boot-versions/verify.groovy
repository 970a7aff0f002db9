def it = evaluate(new File(itSupportFile))
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
def state = it.state('boot-versions')
it.check(state.phase == 'DONE' && it.get('/') == [200, 'boot=4.0.7'], "the Boot 4 jar is live: ${state}")
it.check((traffic.'boot=2.7.18' ?: '0') as int > 0 && (traffic.'boot=4.0.7' ?: '0') as int > 0, "both answered through nginx: ${traffic}")
it.check(traffic.failed == '0', "no request failed: ${traffic.failures}")
it.check(log.count('Class data: no archive of these libraries for this JVM yet') == 2, 'each Boot version has its own library set')
def live = it.commandLine(state.'live.pid' as long)
it.check(live.contains("@${state.'live.jar'}.${state.'live.port'}.args"), "the Boot 4 app runs from its argument file: ${live}")

// each library set's archive, dumped after its switch, goes into the argument file of the instance that trained it:
// what a crash restart or a reboot runs (-Xshare:on refuses an archive the JVM cannot map)
def base = it.baseDir('boot-versions')
['boot2': '2.7.18', 'boot4': '4.0.7'].each { app, version ->
    def release = new File(base, 'releases').listFiles().find { new File(it, "${app}.jar").exists() }
    def archive = new File(base, "cds/${new File(release, 'cds.key').text.trim()}.jsa")
    def args = release.listFiles().find { it.name.startsWith("${app}.jar.") && it.name.endsWith('.args') }
    for (int i = 0; i < 1200 && !args.text.contains("\"-XX:SharedArchiveFile=${archive}\""); i++) {
        Thread.sleep(100)
    }
    it.check(archive.exists() && !args.text.contains('DumpLoadedClassList'), "${app}'s archive, made after its switch, is in its argument file: ${args.text.take(300)} ${new File(base, 'cds').list()}")
    def out = "${it.env.BLUEGREEN_IT_HOME}/${app}-restart.log"
    long pid = it.firstNumber(it.runAsUser(['sh', '-c',
            '{ nohup setsid java -Xmx192m -XX:TieredStopAtLevel=1 -Xshare:on @"$1" --server.port=19089 > "$2" 2>&1 < /dev/null & } && echo $!',
            'sh', args.path, out]))
    try {
        def answer = [-1, '']
        for (int i = 0; i < 600 && answer[0] != 200; i++) {
            Thread.sleep(100)
            answer = it.getDirect(19089, '/')
        }
        it.check(answer == [200, "boot=${version}"], "${app} starts from its archive: ${answer} ${new File(out).text.take(2000)}")
    } finally {
        it.stop(pid)
    }
}
return true

// Helpers shared by the IT scripts: load with  def it = evaluate(new File(itSupportFile))
// The test server (sshd, nginx, deploy user) is the one scripts/test-server.sh started; its settings come
// from the BLUEGREEN_IT_* environment that scripts/run-tests.sh exports.
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicBoolean

class ItSupport {
    final Map<String, String> env = System.getenv()
    final File serverDir = new File(env.BLUEGREEN_IT_DIR)
    final String nginxUrl = "http://127.0.0.1:${env.BLUEGREEN_IT_NGINX_PORT}"
    /** Where the test server's nginx routes before the first deploy (scripts/test-server.sh). */
    static final String NOTHING_DEPLOYED = 'http://127.0.0.1:9'

    /** An empty server: no app running for the deploy user, no state, no include. */
    void resetServer() {
        run(['bash', "${env.BLUEGREEN_IT_TOOLS}/test-server.sh", 'reset', serverDir.path])
    }

    /** Runs a command (with INPUT as its standard input, if given); its output, or an AssertionError if it failed. */
    String run(List<String> command, String input = null) {
        def process = command.execute()
        if (input != null) {
            process.outputStream.withWriter { it << input }
        }
        def out = new StringBuilder()
        process.waitForProcessOutput(out, out)   // waits for the output too, not only for the exit
        if (process.exitValue() != 0) {
            throw new AssertionError("${command} failed (${process.exitValue()}): ${out}")
        }
        return out.toString()
    }

    /** GET through nginx: [status, body]; status -1 when the connection failed. */
    List get(String path = '/', int timeoutMs = 10000) {
        httpGet(nginxUrl + path, timeoutMs)
    }

    /** GET straight to an app's port, not through nginx. */
    List getDirect(int port, String path) {
        httpGet("http://127.0.0.1:${port}${path}", 5000)
    }

    /** [status, body], or [status, body, value of the header] when header is given. */
    static List httpGet(String url, int timeoutMs, String header = null) {
        try {
            def connection = (HttpURLConnection) new URL(url).openConnection()
            connection.connectTimeout = timeoutMs
            connection.readTimeout = timeoutMs
            connection.setRequestProperty('Connection', 'close')
            int status = connection.responseCode
            def stream = status < 400 ? connection.inputStream : connection.errorStream
            def answer = [status, stream?.text ?: '']
            return header ? answer + [connection.getHeaderField(header)] : answer
        } catch (IOException e) {
            return [-1, e.toString()]
        }
    }

    File baseDir(String app) {
        new File(env.BLUEGREEN_IT_HOME, "bluegreen/${app}")
    }

    Properties state(String app) {
        def properties = new Properties()
        new File(baseDir(app), 'state.properties').withReader { properties.load(it) }
        return properties
    }

    File include() {
        new File(env.BLUEGREEN_IT_NGINX_INCLUDE)
    }

    /** PIDs of the deploy user's apps on the server: java -jar, or java @JAR.PORT.args (class-data sharing) processes. */
    List<Long> appPids() {
        def uid = run(['id', '-u', env.BLUEGREEN_IT_USER]).trim()
        new File('/proc').listFiles().findAll { it.name ==~ /\d+/ }.findAll { p ->
            try {
                run(['stat', '-c', '%u', p.path]).trim() == uid && isApp(new File(p, 'cmdline').text)
            } catch (Throwable ignored) {
                false
            }
        }.collect { it.name as long }
    }

    /**
     * A command line (words separated by \0) of an app: java -jar JAR, or java @JAR.PORT.args (the plugin's argument file
     * of a Spring Boot jar); not a server command's shell (its text names -jar too) nor the JVM that dumps an archive.
     */
    static boolean isApp(String commandLine) {
        List<String> words = commandLine.split('\u0000') as List
        words && (words[0] == 'java' || words[0].endsWith('/java')) && (words.contains('-jar') || words.any { it ==~ /@.*\.args/ })
    }

    boolean alive(long pid) {
        def stat = new File("/proc/${pid}/stat")
        if (!stat.exists()) {
            return false
        }
        try {
            def state = stat.text.substring(stat.text.lastIndexOf(')') + 2, stat.text.lastIndexOf(')') + 3)
            return state != 'Z' && state != 'X'
        } catch (IOException ignored) {
            return false
        }
    }

    /**
     * Load through nginx while the IT's builds run: THREADCOUNT clients, each giving up on an answer after TIMEOUTMS; the
     * fourth asks for 2 s requests (in flight at the switch), the others for short ones. Counting starts at the first 200 (before that nothing may be deployed); a
     * request routed to "nothing deployed yet" never counts: an nginx worker of before a first deploy's switch
     * can still take one after a new worker answered.
     * It stops when stopTraffic creates the stop file, and writes result.properties.
     */
    void startTraffic(File dir, String base = nginxUrl, int threadCount = 4, int timeoutMs = 15000) {
        dir.mkdirs()
        def stop = new File(dir, 'stop')
        stop.delete()
        new File(dir, 'result.properties').delete()
        def counts = new ConcurrentHashMap<String, Integer>()
        def failures = Collections.synchronizedList([])
        def counting = new AtomicBoolean(false)
        def deadline = System.currentTimeMillis() + 15 * 60 * 1000
        def threads = (1..threadCount).collect { n ->
            Thread.start("it-traffic-$n") {
                String path = n == 4 ? '/?sleepMs=2000' : '/?sleepMs=50'
                while (!stop.exists() && System.currentTimeMillis() < deadline) {
                    def (status, body, routedTo) = httpGet(base + path, timeoutMs, 'X-Service-Url')
                    if (status == 200) {
                        counting.set(true)
                    }
                    if (counting.get() && routedTo != NOTHING_DEPLOYED) {
                        String key = status == 200 ? body.trim() : "status.${status}"
                        counts.merge(key, 1, Integer::sum)
                        if (status != 200) {
                            failures << "${java.time.LocalTime.now()} ${status} ${body.take(120)}"
                        }
                    } else {
                        Thread.sleep(100)
                    }
                }
            }
        }
        Thread.start('it-traffic-report') {
            threads*.join()
            def result = new Properties()
            counts.each { k, v -> result.setProperty(k, v as String) }
            result.setProperty('failed', failures.size() as String)
            result.setProperty('failures', failures.take(20).join(' | '))
            def text = new StringWriter()
            result.store(text, null)
            writeWhole(new File(dir, 'result.properties'), text.toString())
        }
    }

    /** Writes a file another thread polls for: renamed when complete, so a reader never sees half of it. */
    static void writeWhole(File file, String text) {
        def written = new File(file.path + '.tmp')
        written.text = text
        java.nio.file.Files.move(written.toPath(), file.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE)
    }

    /** Stops the load of startTraffic and returns its counts ("version=v1" -> n, "failed" -> n). */
    Properties stopTraffic(File dir) {
        new File(dir, 'stop').text = 'stop'
        def result = new File(dir, 'result.properties')
        for (int i = 0; i < 400 && !result.exists(); i++) {
            Thread.sleep(100)
        }
        def properties = new Properties()
        result.withReader { properties.load(it) }
        return properties
    }

    /** Runs a command as the deploy user (the owner of the apps and of nginx on the test server). */
    String runAsUser(List<String> command) {
        run(['setpriv', "--reuid=${env.BLUEGREEN_IT_USER}", "--regid=${env.BLUEGREEN_IT_USER}", '--init-groups'] + command)
    }

    /** Starts the ITs' Listener (some other program of the deploy user holding a port); returns its PID once it listens. */
    long startListener(File source, int port) {
        def copy = new File(env.BLUEGREEN_IT_HOME, 'Listener.java')   // where the deploy user can read it
        copy.text = source.text
        long pid = firstNumber(runAsUser(['sh', '-c', 'cd "$2" && { nohup setsid java "$1" "$3" > /dev/null 2>&1 < /dev/null & } && echo $!',
                'sh', copy.path, env.BLUEGREEN_IT_HOME, port as String]))
        for (int i = 0; i < 200; i++) {
            try {
                new Socket('127.0.0.1', port).close()
                return pid
            } catch (IOException ignored) {
                Thread.sleep(100)
            }
        }
        throw new AssertionError("the listener on ${port} did not start")
    }

    /** Starts a jar on a port as the deploy user, the way an old deploy script would, and waits until it is UP. */
    long startApp(String jar, int port, List<String> args = []) {
        def log = "${env.BLUEGREEN_IT_HOME}/manual-${port}.log"
        def pid = firstNumber(runAsUser(['sh', '-c',
                'cd "$4" && j=$1 p=$2 l=$3 && shift 4 && { nohup setsid java -Xmx192m -XX:TieredStopAtLevel=1 -jar "$j" --server.port="$p" "$@" > "$l" 2>&1 < /dev/null & } && echo $!',
                'sh', jar, port as String, log, env.BLUEGREEN_IT_HOME] + args))
        long deadline = System.currentTimeMillis() + 90_000
        while (System.currentTimeMillis() < deadline) {
            def (status, body) = getDirect(port, '/actuator/health')
            if (status == 200 || (args.any { it.contains('demo.health=DOWN') } && status == 503)) {
                return pid
            }
            Thread.sleep(200)
        }
        throw new AssertionError("app ${jar} on ${port} did not start: ${new File(log).text}")
    }

    /** The first whole number in a command's output (a PID), ignoring any other line it printed. */
    static long firstNumber(String output) {
        def number = output =~ /(?m)^\d+$/
        if (!number.find()) {
            throw new AssertionError("no PID in: ${output}")
        }
        return number.group() as long
    }

    /**
     * The old script's switch: rewrite the include and reload nginx. Returns once the workers of before the reload are
     * gone: until then a new connection may still reach one of them, routed by the old include.
     */
    void routeTo(int port) {
        include().text = "set \$service_url http://127.0.0.1:${port};\n"
        def before = nginxWorkers()
        runAsUser(env.BLUEGREEN_IT_NGINX_RELOAD.split(' ') as List)
        long deadline = System.currentTimeMillis() + 60_000   // a reload takes longer on a busy machine
        while (before.any { alive(it) } || nginxWorkers() == before) {
            check(System.currentTimeMillis() < deadline, "nginx did not replace its workers ${before} after a reload")
            Thread.sleep(50)
        }
    }

    /** The PIDs of the test nginx's workers (the children of its master). */
    List<Long> nginxWorkers() {
        childrenOf(new File(env.BLUEGREEN_IT_NGINX_PID).text.trim() as long)
    }

    /** The PIDs of a process's children (their parent PID in /proc/PID/stat). */
    static List<Long> childrenOf(long pid) {
        new File('/proc').listFiles().findAll { it.name ==~ /\d+/ }.findAll { p ->
            try {
                new File(p, 'stat').text.replaceFirst(/.*\) /, '').split(' ')[1] == pid as String
            } catch (IOException ignored) {
                false
            }
        }.collect { it.name as long }
    }


    String jar(String version) {
        "${env.BLUEGREEN_IT_APPS}/demo-app-${version}.jar"
    }

    String commandLine(long pid) {
        new File("/proc/${pid}/cmdline").text.replace('\u0000' as char, ' ' as char)
    }

    /** Stops a process the IT started itself, by PID. */
    void stop(long pid) {
        run(['kill', '-TERM', pid as String])
        for (int i = 0; i < 100 && alive(pid); i++) {
            Thread.sleep(100)
        }
    }

    /** The start of a "bad release" story: v1 live on 19080 (adopted: started by hand), traffic through nginx. */
    void setupLiveV1WithTraffic(File basedir) {
        resetServer()
        long live = startApp(jar('v1'), 19080)
        routeTo(19080)
        new File(basedir, 'live.pid').text = live
        startTraffic(new File(basedir, 'traffic'))
    }

    /**
     * The end of a "bad release" story: v1 untouched and serving throughout, no new process left, lock released,
     * FAILED recorded. Returns the build log for the story's own checks.
     */
    String verifyBadReleaseRefused(File basedir, String app) {
        def traffic = stopTraffic(new File(basedir, 'traffic'))
        long live = new File(basedir, 'live.pid').text as long
        def state = state(app)
        check(alive(live), "the live v1 process ${live} must still run")
        check(get('/') == [200, 'version=v1'], "nginx still serves v1: ${get('/')}")
        check(include().text.trim() == 'set $service_url http://127.0.0.1:19080;', "include untouched: ${include().text}")
        check(appPids() == [live], "no other app process is left: ${appPids()}")
        check(state.phase == 'FAILED' && state.failure, "state records the failure: ${state}")
        check(!new File(baseDir(app), 'deploy.lock').exists(), 'the lock is released')
        check(traffic.failed == '0', "no request may fail: ${traffic.failures}")
        check((traffic.'version=v1' as int) > 0, "v1 answered throughout: ${traffic}")
        return new File(basedir, 'build.log').text
    }

    /** Settings for a Maven run of an IT script: what its local repository lacks comes from the user's (~/.m2). */
    File outerSettings(File basedir) {
        def outerRepo = new File(System.getProperty('user.home'), '.m2/repository').toURI()
        def settings = new File(basedir, 'outer-settings.xml')
        settings.text = """<settings><profiles><profile><id>outer</id>
  <repositories><repository><id>outer</id><url>${outerRepo}</url></repository></repositories>
  <pluginRepositories><pluginRepository><id>outer</id><url>${outerRepo}</url></pluginRepository></pluginRepositories>
</profile></profiles><activeProfiles><activeProfile>outer</activeProfile></activeProfiles></settings>"""
        return settings
    }

    /**
     * Starts `mvn ARGS` on an IT project while the IT runs (a concurrent deploy, a deploy to interrupt, a deploy after a
     * reboot): the plugin comes from the ITs' local repository, anything else from the outer one. Output goes to LOG;
     * PREFIX runs it inside something (e.g. ip netns exec NS).
     */
    Process mvn(File basedir, Object localRepository, List<String> args, File log, List<String> prefix = []) {
        def settings = outerSettings(basedir)
        def command = prefix + ['mvn', '-B', '-ntp', '-s', settings.path, "-Dmaven.repo.local=${localRepository}", '-f',
                       new File(basedir, 'pom.xml').path] + args
        def builder = new ProcessBuilder(command*.toString()).directory(basedir).redirectErrorStream(true).redirectOutput(log)
        builder.environment().put('MAVEN_OPTS', '-XX:TieredStopAtLevel=1')
        return builder.start()   // bin/mvn execs the JVM: this PID is Maven's
    }

    // ---- the systemd test host (scripts/systemd-host, booted by scripts/run-tests.sh: BLUEGREEN_SD_* environment)

    final String sdUrl = "http://${env.BLUEGREEN_SD_HOST}"

    /** Runs a shell command line on the systemd test host as root or deploy. */
    String sd(String user, String command) {
        run(["${env.BLUEGREEN_IT_TOOLS}/systemd-host/ssh.sh", env.BLUEGREEN_SD_DIR, user, command])
    }

    /** Runs a command on the systemd test host with INPUT on its standard input (a secret never on a command line). */
    String sdWithInput(String user, String command, String input) {
        def process = ["${env.BLUEGREEN_IT_TOOLS}/systemd-host/ssh.sh", env.BLUEGREEN_SD_DIR, user, command].execute()
        process.outputStream.withWriter { it << input }
        def out = new StringBuilder()
        process.waitForProcessOutput(out, out)
        return out.toString()
    }

    /** An empty systemd test host: no app unit or process, no deploy state, nginx answering 502. */
    void sdReset() {
        run(["${env.BLUEGREEN_IT_TOOLS}/systemd-host/reset.sh", env.BLUEGREEN_SD_DIR])
    }

    /** GET through the systemd test host's nginx: [status, body]. */
    List sdGet(String path = '/', int timeoutMs = 10000) {
        httpGet(sdUrl + path, timeoutMs)
    }

    /** The state file of an app deployed by the deploy user on the systemd test host. */
    Properties sdState(String app, String home = '/home/deploy') {
        def properties = new Properties()
        properties.load(new StringReader(sd('root', "cat ${home}/bluegreen/${app}/state.properties")))
        return properties
    }

    /** systemctl show of a unit of the deploy user (or root's) on the systemd test host, as a map. */
    Map<String, String> sdUnit(String unit, String user = 'deploy') {
        String systemctl = user == 'root' ? 'systemctl' : 'systemctl --user'
        sd(user, "${systemctl} show -p ActiveState -p UnitFileState -p MainPID -p NRestarts ${unit}").readLines()
                .findAll { it.contains('=') }.collectEntries { [(it.substring(0, it.indexOf('='))): it.substring(it.indexOf('=') + 1)] }
    }

    /** PIDs of java -jar processes of a user on the systemd test host. */
    List<Long> sdAppPids(String user = 'deploy') {
        sd('root', "ps -u ${user} -o pid=,args= | awk '\$2 ~ /(^|\\/)java\$/ && / -jar | @[^ ]*[.]args /{print \$1}'").readLines()*.trim().findAll { it }.collect { it as long }
    }

    // ---- the fleet (scripts/fleet.sh: four systemd test hosts and a front balancer: BLUEGREEN_FLEET_* environment)

    final String frontUrl = env.BLUEGREEN_FLEET_FRONT_URL

    List<String> fleetDirs() {
        env.BLUEGREEN_FLEET_DIRS.split(',') as List
    }

    /** The fleet's host addresses, in the order of its hosts. */
    List<String> fleetHosts() {
        env.BLUEGREEN_FLEET_HOSTS.split(',').collect { it.substring(it.indexOf('@') + 1) }
    }

    /** A shell command line on fleet host i (0-based) as root or deploy. */
    String onHost(int i, String user, String command) {
        run(["${env.BLUEGREEN_IT_TOOLS}/systemd-host/ssh.sh", fleetDirs()[i], user, command])
    }

    /** An empty fleet: every host reset (no app, no deploy state, nginx answering 502). */
    void fleetReset() {
        fleetDirs().each { run(["${env.BLUEGREEN_IT_TOOLS}/systemd-host/reset.sh", it]) }
    }

    /** The state file of an app of the deploy user on fleet host i. */
    Properties fleetState(int i, String app) {
        def properties = new Properties()
        properties.load(new StringReader(onHost(i, 'root', "cat /home/deploy/bluegreen/${app}/state.properties")))
        return properties
    }

    /** PIDs of java -jar processes of the deploy user on fleet host i. */
    List<Long> fleetAppPids(int i) {
        onHost(i, 'root', "ps -u deploy -o pid=,args= | awk '\$2 ~ /(^|\\/)java\$/ && / -jar | @[^ ]*[.]args /{print \$1}'").readLines()*.trim().findAll { it }.collect { it as long }
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message)
        }
    }
}
return new ItSupport()

// Helpers shared by the IT scripts: load with  def it = evaluate(new File(itSupportFile))
// The test server (sshd, nginx, deploy user) is the one scripts/test-server.sh started; its settings come
// from the BLUEGREEN_IT_* environment that scripts/run-tests.sh exports.
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicBoolean

class ItSupport {
    final Map<String, String> env = System.getenv()
    final File serverDir = new File(env.BLUEGREEN_IT_DIR)
    final String nginxUrl = "http://127.0.0.1:${env.BLUEGREEN_IT_NGINX_PORT}"

    /** An empty server: no app running for the deploy user, no state, no include. */
    void resetServer() {
        run(['bash', "${env.BLUEGREEN_IT_TOOLS}/test-server.sh", 'reset', serverDir.path])
    }

    String run(List<String> command) {
        def process = command.execute()
        def out = new StringBuilder()
        process.consumeProcessOutput(out, out)
        process.waitFor()
        if (process.exitValue() != 0) {
            throw new AssertionError("${command} failed (${process.exitValue()}): ${out}")
        }
        return out.toString()
    }

    /** GET through nginx: [status, body]; status -1 when the connection failed. */
    List get(String path = '/', int timeoutMs = 10000) {
        try {
            def connection = (HttpURLConnection) new URL(nginxUrl + path).openConnection()
            connection.connectTimeout = timeoutMs
            connection.readTimeout = timeoutMs
            connection.setRequestProperty('Connection', 'close')
            int status = connection.responseCode
            def stream = status < 400 ? connection.inputStream : connection.errorStream
            return [status, stream?.text ?: '']
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

    /** PIDs of the deploy user's java -jar processes: the apps on the server. */
    List<Long> appPids() {
        def uid = run(['id', '-u', env.BLUEGREEN_IT_USER]).trim()
        new File('/proc').listFiles().findAll { it.name ==~ /\d+/ }.findAll { p ->
            try {
                run(['stat', '-c', '%u', p.path]).trim() == uid && new File(p, 'cmdline').text.contains('-jar')
            } catch (Throwable ignored) {
                false
            }
        }.collect { it.name as long }
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
     * Load through nginx while the IT's builds run: 3 clients of short requests and one of 2 s requests
     * (in flight at the switch). Counting starts at the first 200 (before that nothing may be deployed).
     * It stops when stopTraffic creates the stop file, and writes result.properties.
     */
    void startTraffic(File dir) {
        dir.mkdirs()
        def stop = new File(dir, 'stop')
        stop.delete()
        new File(dir, 'result.properties').delete()
        def counts = new ConcurrentHashMap<String, Integer>()
        def failures = Collections.synchronizedList([])
        def counting = new AtomicBoolean(false)
        def deadline = System.currentTimeMillis() + 15 * 60 * 1000
        def threads = (1..4).collect { n ->
            Thread.start("it-traffic-$n") {
                String path = n == 4 ? '/?sleepMs=2000' : '/?sleepMs=50'
                while (!stop.exists() && System.currentTimeMillis() < deadline) {
                    def (status, body) = get(path, 15000)
                    if (status == 200) {
                        counting.set(true)
                    }
                    if (counting.get()) {
                        String key = status == 200 ? body.trim() : "status.${status}"
                        counts.merge(key, 1, Integer::sum)
                        if (status != 200) {
                            failures << "${new Date().format('HH:mm:ss.SSS')} ${status} ${body.take(120)}"
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
            new File(dir, 'result.properties').withWriter { result.store(it, null) }
        }
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

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message)
        }
    }
}
return new ItSupport()

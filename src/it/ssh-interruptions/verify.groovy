// The interruption matrix (issue "interrupted anywhere, recovered safely"). Under one load through nginx, each story:
//   1. starts `mvn deploy -Pbluegreen` of the next version, waits for an interruption point (seen from outside: a
//      Maven log line, a file a configured start/reload command touches, the old app's log, a held commands.lock),
//   2. interrupts it: SIGKILL to Maven's JVM, or SIGKILL to the sshd processes of its SSH session,
//   3. shows bluegreen:status (the interruption must be visible), then runs `mvn deploy -Pbluegreen` again,
//   4. checks: the deploy succeeded, exactly one app process, lock free, state agrees with nginx, the interrupted
//      deploy is in history.log. Over the whole matrix: no request failed, and nginx never routed to a port where
//      nothing listened (a monitor probes the include's port every 20 ms).
// Deterministic: the app cuts requests in flight when it is stopped (immediate shutdown, Spring Boot's default before
// 3.4), and every story holds a request through nginx at the live instance from before the deploy until the instance
// is being stopped: a stop that did not wait for nginx's workers of before the switch always fails that request.
import java.util.concurrent.atomic.AtomicBoolean

def server = evaluate(new File(itSupportFile))   // not 'it': closures below have their own 'it'
String app = 'interruptions'
File base = server.baseDir(app)
String user = server.env.BLUEGREEN_IT_USER
File hooks = new File(server.env.BLUEGREEN_IT_HOME, 'interruption-hooks')
server.runAsUser(['mkdir', '-p', hooks.path])
File logs = new File(basedir, 'matrix-logs')
logs.mkdirs()

def started = Collections.synchronizedList([])   // every process this script starts: stopped by PID at its end
def mvn = { List<String> args, File log ->
    def process = server.mvn(basedir, localRepositoryPath, args, log)
    started << process
    process
}
def waitFor = { String what, long timeoutMs, Closure<Boolean> condition ->
    long deadline = System.currentTimeMillis() + timeoutMs
    while (!condition()) {
        if (System.currentTimeMillis() > deadline) {
            throw new AssertionError("timed out waiting for ${what}")
        }
        Thread.sleep(20)
    }
}
def processes = { ->   // PID -> command line (words separated by \0)
    new File('/proc').listFiles().findAll { it.name ==~ /\d+/ }.collectEntries { p ->
        try { [(p.name as long): new File(p, 'cmdline').text] } catch (IOException ignored) { [:] }
    }.findAll { k, v -> v }
}
def killTree
killTree = { long pid ->   // parent first: a child that dies first could make its parent go on (a reload "failing")
    def children = server.childrenOf(pid)
    ['kill', '-KILL', pid as String].execute().waitFor()
    children.each { killTree(it) }
}
def serverCommand = { String name ->   // the server.sh processes running that command for this app
    processes().findAll { pid, line -> line.contains("\u0000bluegreen\u0000${name}\u0000") && line.contains("base=${base}") }.keySet()
}
def signalSsh = { String signal ->   // to the sshd processes of the deploy user's SSH sessions
    def sessions = processes().findAll { pid, line -> line.startsWith("sshd: ${user}") }.keySet()
    server.check(!sessions.isEmpty(), 'an SSH session to signal')
    sessions.each { ['kill', "-${signal}", it as String].execute().waitFor() }
}
def cutSsh = { -> signalSsh('KILL') }   // what a dropped connection does: the session's sshd processes die
def hook = { String name -> new File(hooks, name) }
def holdCommandsLock = { ->   // until the hook 'release' exists: a server command that needs it waits
    def holder = ['setpriv', "--reuid=${user}", "--regid=${user}", '--init-groups', 'flock', "${base}/commands.lock",
                  'sh', '-c', 'touch "$0"; while [ ! -e "$1" ]; do sleep 0.05; done', hook('held').path, hook('release').path].execute()
    started << holder
    waitFor('commands.lock held', 10_000) { hook('held').exists() }
    return holder
}
def clearHooks = { -> server.runAsUser(['sh', '-c', 'rm -f "$1"/*', 'sh', hooks.path]) }
def logHas = { File log, String text -> log.exists() && log.text.contains(text) }
def reload = server.env.BLUEGREEN_IT_NGINX_RELOAD
// a reload command that touches the hook 'reload-waiting', then reloads once the hook 'reload-go' exists
def heldReload = "-Dbluegreen.nginxReloadCommand=sh -c 'touch \"\$0\"; while [ ! -e \"\$1\" ]; do sleep 0.05; done; shift; exec \"\$@\"' ${hook('reload-waiting')} ${hook('reload-go')} ${reload}"
def routedPort = { ->   // the port nginx's include names, or null
    def routed = server.include().exists() ? server.include().text =~ /127\.0\.0\.1:(\d+);/ : null
    routed?.find() ? routed.group(1) as int : null
}

def listens = { int port ->
    try {
        new Socket().withCloseable { it.connect(new InetSocketAddress('127.0.0.1', port), 500) }
        return true
    } catch (IOException ignored) {
        return false
    }
}

// ---- load through nginx, and a monitor of what nginx routes to
server.startTraffic(new File(basedir, 'traffic'))
def monitoring = new AtomicBoolean(true)
def violations = Collections.synchronizedList([])
def monitor = Thread.start('route-monitor') {
    while (monitoring.get()) {
        Integer port = routedPort()
        // a stall between reading and connecting (GC, a busy machine) may span a whole switch: ask again
        if (port != null && !listens(port) && routedPort() == port && !listens(port)) {
            violations << "${java.time.LocalTime.now()} nginx's include routes to ${port}, where nothing listens"
        }
        Thread.sleep(20)
    }
}

int version = 1
def deployArgs = { List<String> appArgs = [], List<String> extra = [] ->
    ['deploy', '-Pbluegreen', '-Dbluegreen.appArgs=' + (["--demo.version=v${version}", '--demo.shutdown=immediate'] + appArgs).join(',')] + extra
}

// a request through nginx held at the live instance (port) until its release file exists; released once a server command
// that stops instances has run for a second while nginx no longer routes to that port (a stop that drains is then still
// waiting for the request's nginx worker; one that does not has cut it), or once that instance is gone
def holdRequest = { int port, String label ->
    File release = hook("release-held-${port}-${System.nanoTime()}")
    int hits = server.getDirect(port, '/hits?path=/held')[1] as int
    def result = Collections.synchronizedMap([:])
    def request = Thread.start('held-request') {
        def (status, body) = server.get("/held?holdUntil=${release.path}", 120_000)
        result.status = status
        result.body = body
    }
    waitFor("${label}: the held request at port ${port}", 20_000) { (server.getDirect(port, '/hits?path=/held')[1] ?: '0') as int > hits }
    def releaser = Thread.start('held-request-releaser') {
        Long stoppingSince = null
        long deadline = System.currentTimeMillis() + 180_000
        while (!release.exists() && System.currentTimeMillis() < deadline) {
            boolean stopping = routedPort() != port && !(serverCommand('start') + serverCommand('cleanup') + serverCommand('stop')).isEmpty()
            stoppingSince = stopping ? (stoppingSince ?: System.currentTimeMillis()) : null
            if ((stoppingSince != null && System.currentTimeMillis() - stoppingSince > 1000) || !listens(port)) {
                server.runAsUser(['touch', release.path])
            }
            Thread.sleep(20)
        }
    }
    [request: request, releaser: releaser, result: result, release: release]
}
def slowStop = ['--demo.shutdown-delay-ms=3000']   // for the story that interrupts the old app's stop

// ---- the points: what a story configures, when it interrupts, what the test does after the interruption
def points = [
    [name: 'after the upload',
     before: holdCommandsLock,   // start's server command waits for it, the upload is done
     args: { -> deployArgs() },
     trigger: { File log, Properties before -> logHas(log, '[INFO] Upload') && !serverCommand('start').isEmpty() },
     after: { String how, held ->
         if (how == 'kill Maven') {   // the start command never reached the server
             serverCommand('start').each { killTree(it) }
         } else {
             Thread.sleep(1000)   // the dropped connection's start command goes on once the lock is free
         }
         server.runAsUser(['touch', hook('release').path])
         held.waitFor()
     }],
    [name: 'after the new process started',
     // the start command waits for commands.lock; then the session is frozen (SIGSTOP to its sshd processes) and the
     // lock freed: the app is launched while Maven waits for the start command's answer, which never comes
     before: holdCommandsLock,
     args: { -> deployArgs([], ["-Dbluegreen.startCommand=sh,-c,touch \"\$0\" && exec \"\$@\",${hook('launched')},java,-jar,{jar},--server.port={port},--demo.version=v${version}"]) },
     trigger: { File log, Properties before ->
         if (!hook('release').exists() && !serverCommand('start').isEmpty()) {
             signalSsh('STOP')
             server.runAsUser(['touch', hook('release').path])
         }
         hook('launched').exists()
     },
     after: { String how, held ->
         if (how == 'kill Maven') {
             signalSsh('CONT')   // the session ends: Maven is gone
         }
         held.waitFor()
     }],
    [name: 'while the health check polls',
     args: { -> deployArgs(['--demo.ready-after-ms=6000']) },
     trigger: { File log, Properties before -> logHas(log, 'start done in') && !logHas(log, 'Healthy') && { Thread.sleep(700); true }() }],
    [name: 'after the include is written, before the reload',
     args: { -> deployArgs([], [heldReload]) },
     trigger: { File log, Properties before -> hook('reload-waiting').exists() },
     after: { String how, ignored ->
         if (how == 'kill Maven') {   // the switch command dies with the include written: its journal is left
             serverCommand('switch').each { killTree(it) }
             server.check(new File(base, 'switch.journal').exists(), 'the switch left its journal')
         } else {
             Thread.sleep(1000)   // the dropped connection's switch goes on: the reload happens
             server.runAsUser(['touch', hook('reload-go').path])
         }
     }],
    [name: 'after the reload, before the state is saved',
     args: { -> deployArgs([], ["-Dbluegreen.nginxReloadCommand=sh -c '\"\$@\" && touch \"\$0\" && while [ ! -e \"\$0.go\" ]; do sleep 0.05; done' ${hook('reloaded')} ${reload}"]) },
     trigger: { File log, Properties before -> hook('reloaded').exists() },
     after: { String how, ignored ->
         Thread.sleep(500)
         server.runAsUser(['touch', hook('reloaded.go').path])
     }],
    [name: 'during the drain',
     // the reload waits until a 6 s request through nginx has reached the old app: the old workers are busy with it
     // while cleanup drains
     args: { -> deployArgs([], [heldReload]) },
     trigger: { File log, Properties before ->
         if (hook('reload-waiting').exists() && !hook('reload-go').exists()) {
             Thread.start {
                 def (status, body) = server.get('/in-flight?sleepMs=6000', 20000)
                 if (status != 200) {
                     violations << "the request in flight during the drain failed: ${status} ${body}"
                 }
             }
             waitFor('the long request at the old app', 20_000) {
                 server.getDirect(before.'live.port' as int, '/hits?path=/in-flight') == [200, '1']
             }
             server.runAsUser(['touch', hook('reload-go').path])
         }
         !serverCommand('cleanup').isEmpty()
     }],
    [name: 'while the old app is stopping',
     prepare: slowStop,   // the instance this story stops was started with a 3 s graceful shutdown
     args: { -> deployArgs() },
     trigger: { File log, Properties before ->
         new File(base, "releases/${before.'live.release'}/${before.'live.port'}.log").with { it.exists() && it.text.contains('SIGTERM received') }
     }],
]
def stories = points.collectMany { point -> ['kill Maven', 'cut SSH'].collect { how -> [point: point, how: how] } }

// ---- the first deploy, then the stories, each recovered by the next deploy
def report = []
try {
def first = mvn(deployArgs(stories[0].point.prepare ?: []), new File(logs, '00-first.log'))
server.check(first.waitFor() == 0, "the first deploy: ${new File(logs, '00-first.log').text.takeRight(3000)}")
stories.eachWithIndex { story, index ->
    def point = story.point
    String label = "${point.name}, ${story.how}"
    def before = server.state(app)
    clearHooks()
    int liveVersion = version
    version++
    def heldRequest = holdRequest(before.'live.port' as int, label)
    def held = point.before ? point.before() : null
    File log = new File(logs, String.format('%02d-%s-%s.log', index + 1, point.name.replaceAll(/\W+/, '-'), story.how.replace(' ', '-')))
    long begin = System.currentTimeMillis()
    Process maven = mvn(point.args(), log)
    waitFor("${label}: the interruption point", 120_000) {
        server.check(maven.alive, "${label}: the deploy ended before the interruption point: ${log.text.takeRight(3000)}")
        point.trigger(log, before)
    }
    if (story.how == 'kill Maven') {
        ['kill', '-KILL', maven.pid() as String].execute().waitFor()
    } else {
        cutSsh()
    }
    point.after?.call(story.how, held)
    server.check(maven.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "${label}: Maven ended")
    def cut = server.state(app)
    server.check(cut.deployId != before.deployId, "${label}: the interrupted deploy had started (${cut.deployId})")

    File statusLog = new File(logs, String.format('%02d-status.log', index + 1))
    server.check(mvn(['bluegreen:status', '-Pbluegreen'], statusLog).waitFor() == 0, "${label}: status runs: ${statusLog.text.takeRight(2000)}")
    def visible = statusLog.readLines().find { it.contains(cut.deployId) && (it.contains('INTERRUPTED') || it.contains('FAILED')) }
    server.check(visible != null, "${label}: status shows the interruption of ${cut.deployId}: ${statusLog.text.takeRight(2000)}")

    File recoveryLog = new File(logs, String.format('%02d-recovery.log', index + 1))
    version++
    def next = index + 1 < stories.size() ? stories[index + 1].point : null
    server.check(mvn(deployArgs(next?.prepare ?: []), recoveryLog).waitFor() == 0,
            "${label}: the next deploy recovers: ${recoveryLog.text.takeRight(4000)}")
    def state = server.state(app)
    def routed = routedPort()
    server.check(state.phase == 'DONE' && state.'live.port' == routed as String, "${label}: the state agrees with nginx: ${state} / ${routed}")
    server.check(server.appPids() == [state.'live.pid' as long], "${label}: exactly one app process: ${server.appPids()} (live ${state.'live.pid'})")
    server.check(!new File(base, 'deploy.lock').exists(), "${label}: the lock is free")
    server.check(server.get('/')[1] == "version=v${version}", "${label}: nginx serves v${version}: ${server.get('/')}")
    def history = new File(base, 'history.log').readLines().find { it.startsWith(cut.deployId + '\t') }
    server.check(history != null && (history.contains('\tINTERRUPTED\t') || history.contains('\tFAILED\t')),
            "${label}: history.log records ${cut.deployId}: ${history}")
    server.check(violations.isEmpty(), "${label}: ${violations}")
    heldRequest.request.join(120_000)
    heldRequest.releaser.join(5_000)
    server.check(heldRequest.result.status == 200 && heldRequest.result.body == "version=v${liveVersion}",
            "${label}: the request held at the old instance until its stop got its answer: ${heldRequest.result}")
    def recovered = recoveryLog.readLines().findAll { it.contains('[WARNING]') }.collect { it.replaceFirst(/^\[WARNING\] /, '') }
    report << "${label}: state after the cut ${cut.phase}, history ${history.split("\t")[2]}; recovery: ${recovered.join(' | ') ?: 'nothing to recover'}" +
            " [${(System.currentTimeMillis() - begin) / 1000} s]"
}

} finally {
    monitoring.set(false)
    started.each { it.destroyForcibly() }
}
monitor.join()
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
new File(basedir, 'matrix-report.txt').text = report.join('\n') + "\ntraffic: ${traffic}\n"
println report.join('\n')
println "traffic through nginx over the whole matrix: ${traffic}"
server.check(traffic.failed == '0', "no request may fail over the whole matrix: ${traffic.failures}")
server.check(violations.isEmpty(), "nginx never routed to a port where nothing listened: ${violations}")
return true

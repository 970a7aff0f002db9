def it = evaluate(new File(itSupportFile))
def log = new File(basedir, 'build.log').text
long pid = new File(basedir, 'listener.pid').text as long
try {
    it.check((log =~ /port 19080 is taken by PID ${pid} \(java .*Listener\.java 19080\), which is not this app: stop that process or choose other ports with bluegreen\.bluePort\/bluegreen\.greenPort/).find(),
            "refused with the PID and command: ${log.findAll(/.*port 19080.*/)}")
    it.check(it.alive(pid), 'the unrelated process was not killed')
    it.check(it.state('foreign-port').phase == 'FAILED', 'the state records the refusal')
    it.check(it.appPids().isEmpty(), "no app was started: ${it.appPids()}")
    it.check(!it.include().exists(), 'nginx was not touched')
} finally {
    it.stop(pid)
}
return true

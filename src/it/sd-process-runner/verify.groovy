// runner=process on the systemd host: detached processes, a clean environment from a private file.
def server = evaluate(new File(itSupportFile))
String app = 'sd-process-runner'
String secret = 'bgsecret-4Kp9-process-runner'
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
def state = server.sdState(app)
server.check(state.phase == 'DONE' && state.'live.port' == '8081' && server.sdGet('/') == [200, 'version=v2'], "v2 live: ${state}")
server.check(server.sdAppPids() == [state.'live.pid' as long], "one app process: ${server.sdAppPids()}")
server.check(server.sdUnit("${app}@8081.service").ActiveState == 'inactive', 'no unit: a process')
server.check(traffic.failed == '0', "no request failed: ${traffic.failures}")
long pid = state.'live.pid' as long
String environ = server.sd('root', "tr '\\0' '\\n' < /proc/${pid}/environ")
server.check(environ.contains(secret), 'the app got the secret')
server.check(!environ.contains('MAVEN') && !environ.contains('SSH_CONNECTION'), "a clean environment, not the SSH session's: ${environ}")
String commandLines = server.sdWithInput('root', 'grep -l -F -f - /proc/[0-9]*/cmdline 2>/dev/null; true', secret)
server.check(commandLines.trim().isEmpty(), "no command line holds the secret: ${commandLines}")
String log = server.sd('root', "cat /home/deploy/bluegreen/${app}/releases/${state.'live.release'}/8081.log")
server.check(log.contains('Started DemoApplication'), "the release's log: ${log.take(500)}")
return true

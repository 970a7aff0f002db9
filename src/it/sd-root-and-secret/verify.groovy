// runner=systemd as root: a system unit. A secret environment value reaches the app and nothing else on the server.
def server = evaluate(new File(itSupportFile))
String app = 'sd-root-and-secret'
String secret = 'bgsecret-7Qz2-unlikely-anywhere'
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
def state = server.sdState(app, '/root')
server.check(state.phase == 'DONE' && server.sdGet('/') == [200, 'version=v1'], "v1 deployed by root: ${state}")
def unit = server.sdUnit("${app}@8080.service", 'root')
server.check(unit.ActiveState == 'active' && unit.UnitFileState == 'enabled' && unit.MainPID == state.'live.pid', "a system unit: ${unit}")
server.check(server.sd('root', "test -f /etc/systemd/system/${app}@.service && echo installed").contains('installed'), 'the template unit is installed')
server.check(traffic.failed == '0', "no request failed: ${traffic.failures}")

// the app has it (its environment)...
server.check(server.sdWithInput('root', "grep -c -F -f - /proc/${unit.MainPID}/environ", secret).trim() == '1', 'the app got the secret')
// ...and no command line, no log, no file others can read has it (the secret travels on stdin, never in these commands)
String commandLines = server.sdWithInput('root', 'grep -l -F -f - /proc/[0-9]*/cmdline 2>/dev/null; true', secret)
server.check(commandLines.trim().isEmpty(), "no command line holds the secret: ${commandLines}")
String journal = server.sdWithInput('root', 'journalctl -o cat --no-pager | grep -c -F -f -; true', secret)
server.check(journal.trim() == '0', "no journal entry holds it: ${journal}")
String readable = server.sdWithInput('root',
        'find / /run /tmp -xdev -type f -perm -o=r -newermt "-15 minutes" 2>/dev/null | xargs -r grep -l -F -f - 2>/dev/null; true', secret)
server.check(readable.trim().isEmpty(), "no world-readable file written during the test holds it: ${readable}")
String modes = server.sd('root', "stat -c '%a %U %n' /root/bluegreen/${app}/instances/8080.env /root/bluegreen/${app}/state.properties /root/bluegreen/${app}")
server.check(modes.readLines().every { it.startsWith('600 root') || it.startsWith('700 root') }, "private files: ${modes}")
return true

def it = evaluate(new File(itSupportFile))
def log = new File(basedir, 'build.log').text
def check = { String text -> it.check(log.contains(text), "the build log should say: ${text}") }
def serverKey = it.run(['ssh-keygen', '-l', '-E', 'sha256', '-f', "${it.serverDir}/ssh/host_ed25519.pub"]).split(' ')[1]
int port = it.env.BLUEGREEN_IT_SSH_PORT as int

check("host key of 127.0.0.1:${port} is unknown (server key ssh-ed25519 ${serverKey})")
check("Check it, then trust it with 'ssh-keyscan -p ${port} 127.0.0.1 >> ${basedir}/empty_known_hosts'")
check("host key of 127.0.0.1:${port} has CHANGED (server key ssh-ed25519 ${serverKey})")
check("ssh-keygen -R \"[127.0.0.1]:${port}\" -f ${basedir}/changed_known_hosts")
check("SSH authentication failed for bluegreen-it@127.0.0.1:${port}: check bluegreen.user and the key")
check("SSH authentication failed for nobody-here@127.0.0.1:${port}")
it.check(!log.contains('correct-horse-battery-staple'), 'the settings.xml password never appears, not even in the debug log')
it.check(log.contains('[DEBUG] jsch:'), 'the debug log (JSch) was on')
it.check(!new File(it.baseDir('host-key-and-auth'), 'deploy.lock').exists(), 'nothing was done on the server')
return true

def it = evaluate(new File(itSupportFile))
it.resetServer()
// a second sshd like the test server's, with port forwarding forbidden (as on hardened hosts)
def dir = new File(it.serverDir, 'ssh-no-forwarding')
dir.mkdirs()
def config = new File(it.serverDir, 'ssh/sshd_config').text
        .replaceAll(/(?m)^Port .*$/, 'Port 2224')
        .replaceAll(/(?m)^PidFile .*$/, "PidFile ${dir}/sshd.pid") + 'AllowTcpForwarding no\n'
new File(dir, 'sshd_config').text = config
new File(dir, 'known_hosts').text = "[127.0.0.1]:2224 " + new File(it.serverDir, 'ssh/host_ed25519.pub').text.split(' ')[0..1].join(' ') + '\n'
it.run(['/usr/sbin/sshd', '-f', "${dir}/sshd_config", '-E', "${dir}/sshd.log"])
for (int i = 0; i < 100 && !new File(dir, 'sshd.pid').exists(); i++) {
    Thread.sleep(50)
}
it.startTraffic(new File(basedir, 'traffic'))
return true

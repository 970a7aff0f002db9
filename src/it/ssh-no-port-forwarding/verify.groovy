def it = evaluate(new File(itSupportFile))
def dir = new File(it.serverDir, 'ssh-no-forwarding')
try {
    def traffic = it.stopTraffic(new File(basedir, 'traffic'))
    def log = new File(basedir, 'build.log').text
    it.check(log.contains('forbids port forwarding (AllowTcpForwarding no): health probes run curl on the server instead'),
            'the fallback is announced')
    it.check(new File(dir, 'sshd.log').text.contains('refused local port forward'), 'sshd did refuse the forwarding')
    def state = it.state('no-port-forwarding')
    it.check(state.phase == 'DONE' && state.'live.port' == '19081', "v2 deployed: ${state}")
    it.check(it.get('/') == [200, 'version=v2'], "nginx serves v2: ${it.get('/')}")
    it.check(it.appPids() == [state.'live.pid' as long], "one app left: ${it.appPids()}")
    it.check(traffic.failed == '0', "no request may fail: ${traffic.failures}")
} finally {
    it.stop(new File(dir, 'sshd.pid').text.trim() as long)
}
return true

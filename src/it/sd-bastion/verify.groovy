// ProxyJump through a bastion. This machine plays three parts: the CI runner (a network namespace 'bgrunner' with one
// link, 10.215.0.2 <-> 10.215.0.1), the bastion (a private sshd on 10.215.0.1, in this machine's own namespace, its
// host key certified by a CA the runner trusts with @cert-authority), and the systemd host behind it (10.213.77.2:
// routable from the bastion, not from the runner). Maven runs inside the runner's namespace.
def server = evaluate(new File(itSupportFile))
String ns = 'bgrunner'
File dir = new File(basedir, 'bastion')
dir.mkdirs()
int port = 2422
def sh = { String command -> server.run(['sh', '-c', command]) }
def cleanup = {
    sh("ip link del bgr0 2>/dev/null; ip netns del ${ns} 2>/dev/null; true")
    server.run(['env', "LISTEN=10.215.0.1", "${server.env.BLUEGREEN_IT_TOOLS}/sshd.sh", 'stop', dir.path, port as String, server.env.BLUEGREEN_IT_USER])
}
cleanup()
try {
    sh("ip netns add ${ns} && ip link add bgr0 type veth peer name bgr1 && ip link set bgr1 netns ${ns}" +
            " && ip addr add 10.215.0.1/30 dev bgr0 && ip link set bgr0 up" +
            " && ip netns exec ${ns} ip addr add 10.215.0.2/30 dev bgr1 && ip netns exec ${ns} ip link set bgr1 up" +
            " && ip netns exec ${ns} ip link set lo up")
    // the bastion: a real sshd with a host certificate; the runner trusts the CA, not the key itself
    server.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'bluegreen-test-ca', '-f', new File(dir, 'ca').path])
    server.run(['env', "LISTEN=10.215.0.1", "HOST_CA=${new File(dir, 'ca').path}", "${server.env.BLUEGREEN_IT_TOOLS}/sshd.sh", 'start',
                dir.path, port as String, server.env.BLUEGREEN_IT_USER])
    File trust = new File(dir, 'bastion_known_hosts')
    trust.text = "@cert-authority [10.215.0.1]:${port} ${new File(dir, 'ca.pub').text.split(' ')[0..1].join(' ')}\n"
    // the server is not routable from the runner: only through the bastion
    def direct = ['ip', 'netns', 'exec', ns, 'sh', '-c', "exec 3<>/dev/tcp/${server.env.BLUEGREEN_SD_HOST}/22"].execute()
    direct.waitForProcessOutput(new StringBuilder(), new StringBuilder())
    server.check(direct.exitValue() != 0, 'the runner cannot reach the server directly')

    def config = { File knownHosts, String user = server.env.BLUEGREEN_IT_USER ->
        File file = new File(dir, "config-${knownHosts.name}-${user}")
        file.text = """
Host app
  HostName ${server.env.BLUEGREEN_SD_HOST}
  ProxyJump bastion
Host bastion
  HostName 10.215.0.1
  Port ${port}
  User ${user}
  IdentityFile ${new File(dir, 'client_ed25519').path}
  UserKnownHostsFile ${knownHosts.path}
"""
        file
    }
    def deploy = { String name, List<String> extra ->
        File log = new File(basedir, "${name}.log")
        def process = server.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', '-Dbluegreen.host=app'] + extra, log, ['ip', 'netns', 'exec', ns])
        [process.waitFor(), log.text]
    }

    server.startTraffic(new File(basedir, 'traffic'), server.sdUrl)
    def (exit, log) = deploy('through-the-bastion', ["-Dbluegreen.sshConfig=${config(trust).path}" as String, '-Dbluegreen.appArgs=--demo.version=v-jump'])
    def traffic = server.stopTraffic(new File(basedir, 'traffic'))
    server.check(exit == 0, "the deploy through the bastion: ${log.takeRight(3000)}")
    server.check(log.contains("on ssh deploy@${server.env.BLUEGREEN_SD_HOST}:22 via ${server.env.BLUEGREEN_IT_USER}@10.215.0.1:${port}"),
            'the build says the route')
    server.check(server.sdGet('/') == [200, 'version=v-jump'], "the server serves it: ${server.sdGet('/')}")
    server.check(traffic.failed == '0' && (traffic.'version=v-jump' as int) > 0, "no request failed: ${traffic}")

    def refused = deploy('bastion-refuses', ["-Dbluegreen.sshConfig=${config(trust, 'nobody').path}" as String])
    server.check(refused[0] != 0 && refused[1].contains("SSH authentication failed for the jump host bastion (ProxyJump), nobody@10.215.0.1:${port}"),
            "a bastion that refuses the user is named: ${refused[1].readLines().findAll { it.contains('ERROR') }.take(1)}")
    def unreachable = deploy('bastion-unreachable', ["-Dbluegreen.sshConfig=${config(trust).path}" as String, '-Dbluegreen.proxyJump=10.215.0.1:2499'])
    server.check(unreachable[0] != 0 && unreachable[1].contains('cannot connect to the jump host 10.215.0.1 (ProxyJump)'),
            "an unreachable bastion is named: ${unreachable[1].readLines().findAll { it.contains('ERROR') }.take(1)}")
    File empty = new File(dir, 'empty_known_hosts')
    empty.text = ''
    def unknown = deploy('bastion-unknown', ["-Dbluegreen.sshConfig=${config(empty).path}" as String])
    server.check(unknown[0] != 0 && unknown[1].contains("host key of the jump host bastion (ProxyJump) is unknown"),
            "a bastion of an unknown host key is refused, named: ${unknown[1].readLines().findAll { it.contains('ERROR') }.take(1)}")
    server.check(server.sdGet('/') == [200, 'version=v-jump'], 'the refused deploys changed nothing')
} finally {
    cleanup()
}
return true

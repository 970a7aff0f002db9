// The test server reached as an ops team's laptop or CI job reaches a server: an alias of an ssh config file, its
// known_hosts hashed (ssh-keygen -H), the deploy user's key only in a real ssh-agent (IdentityAgent), no key file, no
// port, user or known_hosts parameter (-Dbluegreen.sshConfigOnly drops the ITs' own). A deploy under load; then the
// agent emptied: the refusal says which keys were offered and where from.
def server = evaluate(new File(itSupportFile))
File dir = new File(basedir, 'ssh')
dir.mkdirs()
File socket = new File(dir, 'agent.sock')
def agent = ['ssh-agent', '-a', socket.path].execute()
def agentOut = new StringBuilder()
agent.waitForProcessOutput(agentOut, agentOut)
long agentPid = (agentOut =~ /SSH_AGENT_PID=(\d+)/)[0][1] as long
try {
    def withAgent = { List<String> command ->
        def pb = new ProcessBuilder(command).redirectErrorStream(true)
        pb.environment().put('SSH_AUTH_SOCK', socket.path)
        def p = pb.start()
        def out = p.inputStream.text
        server.check(p.waitFor() == 0, "${command}: ${out}")
        out
    }
    withAgent(['ssh-add', server.env.BLUEGREEN_IT_KEY])
    File knownHosts = new File(dir, 'known_hosts')
    knownHosts.text = new File(server.env.BLUEGREEN_IT_KNOWN_HOSTS).text
    server.run(['ssh-keygen', '-q', '-H', '-f', knownHosts.path])
    server.check(knownHosts.text.startsWith('|1|'), "hashed: ${knownHosts.text}")
    File config = new File(dir, 'config')
    config.text = """
Host it-server
  HostName 127.0.0.1
  Port ${server.env.BLUEGREEN_IT_SSH_PORT}
  User ${server.env.BLUEGREEN_IT_USER}
  UserKnownHostsFile ${knownHosts.path}
  IdentityAgent ${socket.path}
"""
    def args = ['deploy', '-Pbluegreen', '-Dbluegreen.sshConfigOnly', '-Dbluegreen.host=it-server', "-Dbluegreen.sshConfig=${config.path}" as String,
                '-Dbluegreen.appArgs=--demo.version=v-agent']
    server.startTraffic(new File(basedir, 'traffic'))
    File log = new File(basedir, 'deploy.log')
    int exit = server.mvn(basedir, localRepositoryPath, args, log).waitFor()
    def traffic = server.stopTraffic(new File(basedir, 'traffic'))
    server.check(exit == 0, "the deploy through the alias and the agent: ${log.text.takeRight(3000)}")
    server.check(log.text.contains("bluegreen:detect on ssh ${server.env.BLUEGREEN_IT_USER}@127.0.0.1:${server.env.BLUEGREEN_IT_SSH_PORT}"),
            'the alias resolved to the config\'s host, port and user')
    server.check(server.get('/') == [200, 'version=v-agent'], "nginx serves it: ${server.get('/')}")
    server.check(traffic.failed == '0', "no request failed: ${traffic.failures}")

    withAgent(['ssh-add', '-D'])
    File refused = new File(basedir, 'refused.log')
    server.check(server.mvn(basedir, localRepositoryPath, args, refused).waitFor() != 0, 'no key in the agent: refused')
    server.check(refused.text.contains("the SSH agent at ${socket.path} holds 0 keys"),
            "the refusal says what the agent held: ${refused.readLines().findAll { it.contains('ERROR') }.take(2)}")
    server.check(server.get('/') == [200, 'version=v-agent'], 'nothing was changed')
} finally {
    ['kill', agentPid as String].execute().waitFor()
}
return true

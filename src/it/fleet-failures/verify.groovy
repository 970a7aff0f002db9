// Three failures of a four-host fleet, each under load through the front balancer, each leaving v1 serving everywhere.
// (Never take a host's link down to make it unreachable: its address would then be routed to the outside network.)
def server = evaluate(new File(itSupportFile))
String app = 'sd-fleet-failures'
def hosts = server.fleetHosts()
def unhealthy = '/home/deploy/unhealthy'
int version = 0
def deploy = { String name, List<String> extra ->
    version++
    def log = new File(basedir, "${name}.log")
    int exit = server.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen',
            "-Dbluegreen.appArgs=--demo.version=v${version},--demo.down-if-exists=${unhealthy}"] + extra, log).waitFor()
    [exit, log.text]
}
def allOnV1 = { String story ->
    hosts.eachWithIndex { host, i ->
        def state = server.fleetState(i, app)
        server.check(server.fleetAppPids(i) == [state.'live.pid' as long], "${story}: ${host} runs one app: ${server.fleetAppPids(i)} / ${state}")
        def answer = server.onHost(i, 'deploy', "curl -s http://127.0.0.1:${state.'live.port'}/").trim()
        server.check(answer == 'version=v1', "${story}: ${host} serves v1: '${answer}' (${state})")
        server.check(!server.onHost(i, 'root', "ls /home/deploy/bluegreen/${app}").contains('deploy.lock'), "${story}: ${host}: lock free")
    }
}

def (first, firstLog) = deploy('1-v1', [])
server.check(first == 0, "v1 on every host: ${firstLog.takeRight(3000)}")
server.startTraffic(new File(basedir, 'traffic'), server.frontUrl)

// all hosts switched together (the fast stand-in; fleet-rolling-together deploys the real app rolling), then back
def (together, togetherLog) = deploy('1-together', ['-Dbluegreen.switchMode=together'])
server.check(together == 0 && togetherLog.contains('FLEET SUMMARY (4 hosts)'), "switched together: ${togetherLog.takeRight(3000)}")
server.check(hosts.withIndex().every { host, i -> server.fleetState(i, app).'live.port' == '8081' }, 'every host on the new release')
version = 0
def (back, backLog) = deploy('1-back-to-v1', ['-Dbluegreen.switchMode=together'])
server.check(back == 0, "and back to v1: ${backLog.takeRight(3000)}")

// one host's new release never becomes healthy: nothing is switched anywhere
server.onHost(2, 'deploy', "touch ${unhealthy}")
def (unhealthyExit, unhealthyLog) = deploy('2-one-host-unhealthy', [])
server.onHost(2, 'deploy', "rm -f ${unhealthy}")
server.check(unhealthyExit != 0, 'the deploy fails')
server.check(unhealthyLog.contains("bluegreen:healthcheck failed on 1 of 4 hosts, nothing was switched anywhere and every new instance was stopped: host ${hosts[2]}: the new version on port 8081"),
        "it says which host and why: ${unhealthyLog.findAll(/.*ERROR.*/).take(3)}")
allOnV1('one host unhealthy')

// one host's switch fails in the middle of a rolling switch: the hosts switched before it go back
server.onHost(2, 'deploy', "echo 'this_is_not_a_directive;' > /etc/nginx/bluegreen/service-url-broken.inc")
def (switchExit, switchLog) = deploy('3-switch-fails', ['-Dbluegreen.switchMode=rolling'])
server.onHost(2, 'deploy', 'rm -f /etc/nginx/bluegreen/service-url-broken.inc')
server.check(switchExit != 0, 'the deploy fails')
server.check(switchLog.contains("the switch failed on host ${hosts[2]}: nginx config test failed") &&
        switchLog.contains("Now ${hosts[0]} went back to release ") && switchLog.contains("; ${hosts[1]} went back to release ") &&
        switchLog.contains("; ${hosts[2]} still runs release ") && switchLog.contains("; ${hosts[3]} still runs release "),
        "it says which host, why, and what went back: ${switchLog.findAll(/.*ERROR.*/).take(3)}")
allOnV1('a switch failing mid-rolling')

// one host unreachable at the start (its sshd stopped: the network stays as it is): refused before any change, naming it
def onHost4 = { String... command -> server.run(["${server.env.BLUEGREEN_IT_TOOLS}/systemd-host/exec.sh", server.fleetDirs()[3]] + (command as List)) }
onHost4('systemctl', 'stop', 'ssh')
def unreachable
try {
    unreachable = deploy('4-host-unreachable', [])
} finally {
    onHost4('systemctl', 'start', 'ssh')
}
server.check(unreachable[0] != 0, 'the deploy fails')
server.check(unreachable[1].contains("cannot reach 1 of 4 hosts (${hosts[3]}: cannot connect to deploy@${hosts[3]}:22") &&
        unreachable[1].contains('; nothing was changed anywhere (parameter bluegreen.hosts)'),
        "it names the host: ${unreachable[1].findAll(/.*ERROR.*/).take(3)}")
server.check(!unreachable[1].contains('(parameter bluegreen.host)'), 'the parameter is named once')
server.check(!unreachable[1].contains('detect done'), 'no host was touched')
allOnV1('a host unreachable')

def traffic = server.stopTraffic(new File(basedir, 'traffic'))
server.check(traffic.failed == '0' && (traffic.'version=v1' as int) > 0, "no request through the front failed: ${traffic}")
return true

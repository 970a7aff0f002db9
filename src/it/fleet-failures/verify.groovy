// Three failures of a four-host fleet, each under load through the front balancer, each leaving v1 serving everywhere.
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
        server.check(server.onHost(i, 'deploy', "curl -s http://127.0.0.1:${state.'live.port'}/") == 'version=v1', "${story}: ${host} serves v1")
        server.check(!server.onHost(i, 'root', "ls /home/deploy/bluegreen/${app}").contains('deploy.lock'), "${story}: ${host}: lock free")
    }
}

def (first, firstLog) = deploy('1-v1', [])
server.check(first == 0, "v1 on every host: ${firstLog.takeRight(3000)}")
server.startTraffic(new File(basedir, 'traffic'), server.frontUrl)

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
        switchLog.contains("The hosts already switched (${hosts[0]}, ${hosts[1]}) went back to their old instance"),
        "it says which host, why, and what went back: ${switchLog.findAll(/.*ERROR.*/).take(3)}")
allOnV1('a switch failing mid-rolling')

// one host unreachable at the start: refused before any change, naming the host
server.run(['ip', 'link', 'set', 've-fleet4', 'down'])
def unreachable
try {
    unreachable = deploy('4-host-unreachable', [])
} finally {
    server.run(['ip', 'link', 'set', 've-fleet4', 'up'])
}
server.check(unreachable[0] != 0, 'the deploy fails')
server.check(unreachable[1].contains("cannot reach 1 of 4 hosts, nothing was changed anywhere: ${hosts[3]}: cannot connect to deploy@${hosts[3]}:22"),
        "it names the host: ${unreachable[1].findAll(/.*ERROR.*/).take(3)}")
server.check(!unreachable[1].contains('bluegreen:detect on 4 hosts'), 'no host was touched')
Thread.sleep(1500)   // the front balancer tries the host again
allOnV1('a host unreachable')

def traffic = server.stopTraffic(new File(basedir, 'traffic'))
server.check(traffic.failed == '0' && (traffic.'version=v1' as int) > 0, "no request through the front failed: ${traffic}")
return true

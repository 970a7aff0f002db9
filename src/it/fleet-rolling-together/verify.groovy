def server = evaluate(new File(itSupportFile))
String app = 'sd-fleet'
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
def releases = [] as Set
server.fleetHosts().eachWithIndex { host, i ->
    def state = server.fleetState(i, app)
    server.check(state.phase == 'DONE' && state.'live.port' == '8081', "${host}: v2 live on 8081: ${state}")
    server.check(server.fleetAppPids(i) == [state.'live.pid' as long], "${host}: one app process: ${server.fleetAppPids(i)}")
    server.check(!server.onHost(i, 'root', "ls /home/deploy/bluegreen/${app}").contains('deploy.lock'), "${host}: lock free")
    releases << state.'live.release'
    server.check(log.contains("[INFO] [${host}] port 8081 (LIVE): PID ${state.'live.pid'}"), "${host} in status")
}
server.check(releases.size() == 1, "one release name on every host: ${releases}")
server.check(server.httpGet(server.frontUrl + '/', 5000) == [200, 'version=v2'], 'the front serves v2')
server.check(log.contains('FLEET SUMMARY (4 hosts):') && log.contains('  slowest: '), 'one summary naming the slowest host')
server.check(new File(basedir, 'first-deploy.log').text.contains('bluegreen:switch on 4 hosts'), 'v1 was switched together on all four hosts')
server.check(log.contains('bluegreen:switch on 4 hosts'), 'v2 rolling on all four')
server.check((traffic.'version=v1' as int) > 0 && (traffic.'version=v2' as int) > 0, "both versions answered: ${traffic}")
server.check(traffic.failed == '0', "no request through the front failed: ${traffic.failures}")
return true

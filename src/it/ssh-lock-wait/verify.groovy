def server = evaluate(new File(itSupportFile))   // not 'it': the closures below have their own
def exit = new File(basedir, 'second-deploy.exit')
for (int i = 0; i < 3000 && !exit.exists(); i++) {
    Thread.sleep(100)
}
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
def second = new File(basedir, 'second-deploy.log').text
server.check(exit.text == '0', "the second deploy succeeded: ${second.takeRight(3000)}")
server.check((second =~ /Waiting for the deploy lock, held by deploy \d{8}-\d{6}-[0-9a-f]{4} by \S+ \(Maven PID \d+\), started [0-9.]+ (ms|s) ago \(bluegreen.lockWaitSeconds: up to/).find(),
        "it said whom it waited for: ${second.findAll(/.*Waiting.*/)}")
def state = server.state('lock-wait')
server.check(state.phase == 'DONE' && server.get('/') == [200, 'version=v2'], "then deployed v2: ${state}")
server.check(server.appPids() == [state.'live.pid' as long], "one app: ${server.appPids()}")
server.check(traffic.failed == '0', "no request failed: ${traffic.failures}")
return true

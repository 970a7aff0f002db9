def it = evaluate(new File(itSupportFile))
def exit = new File(basedir, 'second-deploy.exit')
for (int i = 0; i < 3000 && !exit.exists(); i++) {
    Thread.sleep(100)
}
def traffic = it.stopTraffic(new File(basedir, 'traffic'))
def second = new File(basedir, 'second-deploy.log').text
it.check(exit.text == '0', "the second deploy succeeded: ${second.takeRight(3000)}")
it.check((second =~ /Waiting for the deploy lock, held by deploy \d{8}-\d{6}-[0-9a-f]{4} by \S+ \(Maven PID \d+\), started [0-9.]+ (ms|s) ago \(bluegreen.lockWaitSeconds: up to/).find(),
        "it said whom it waited for: ${second.findAll(/.*Waiting.*/)}")
def state = it.state('lock-wait')
it.check(state.phase == 'DONE' && it.get('/') == [200, 'version=v2'], "then deployed v2: ${state}")
it.check(it.appPids() == [state.'live.pid' as long], "one app: ${it.appPids()}")
it.check(traffic.failed == '0', "no request failed: ${traffic.failures}")
return true

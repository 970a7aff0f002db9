// runner=systemd as the non-root deploy user. The goals ran v1, v2 (v1 kept 5 min), a rollback (a switch back to the
// kept v1: its unit enabled again, v2's stopped and disabled), status and logs; then here: SIGKILL to the live app, a reboot
// of the whole host, a deploy after the reboot, and a rollback.
def server = evaluate(new File(itSupportFile))
String app = 'sd-systemd-runner'
def report = new File(basedir, 'report.txt')
def traffic = server.stopTraffic(new File(basedir, 'traffic'))
def log = new File(basedir, 'build.log').text
def check = { String text -> server.check(log.contains(text), "the build log should say: ${text}") }

def state = server.sdState(app)
server.check(state.kind == 'ROLLBACK' && state.phase == 'DONE' && state.'live.port' == '8080', "rolled back to v1 on 8080: ${state}")
check("as ${app}@8080.service")
check("as ${app}@8081.service")
check('rolling back is a switch only')
check("[INFO] port 8080 (LIVE): PID ${state.'live.pid'}")
check("unit ${app}@8080.service active, enabled, restarts 0")
check("== the journal of ${app}@8080.service")   // bluegreen:logs
server.check(log.substring(log.lastIndexOf("== the journal of ${app}@8080.service")).contains('Started DemoApplication'),
        'bluegreen:logs shows the live instance\'s output from the journal')
server.check(server.sdGet('/') == [200, 'version=v1'], "nginx serves v1: ${server.sdGet('/')}")
def blue = server.sdUnit("${app}@8080.service")
def green = server.sdUnit("${app}@8081.service")
server.check(blue.ActiveState == 'active' && blue.UnitFileState == 'enabled', "v1's unit runs and starts at boot: ${blue}")
server.check(blue.MainPID == state.'live.pid', "the unit's main PID is the live instance: ${blue} / ${state.'live.pid'}")
// the rollback itself ran without keepOldSeconds: v2 was drained, stopped and disabled
server.check(green.ActiveState == 'inactive' && green.UnitFileState == 'disabled', "v2 stopped and disabled after the rollback: ${green}")
server.check(traffic.failed == '0', "no request failed during the deploys and the rollback: ${traffic.failures}")

// the live app killed with SIGKILL: systemd restarts it
def answersAgain = { long since, String what, Closure<Boolean> done ->
    long deadline = System.currentTimeMillis() + 180_000
    while (!done()) {
        server.check(System.currentTimeMillis() < deadline, "${what}: not back within 180 s")
        Thread.sleep(50)
    }
    System.currentTimeMillis() - since
}
long killed = blue.MainPID as long
long t0 = System.currentTimeMillis()
server.sd('root', "kill -KILL ${killed}")
long crashMs = answersAgain(t0, 'after kill -9') { server.sdGet('/', 2000) == [200, 'version=v1'] && server.sdUnit("${app}@8080.service").MainPID != "${killed}" }
def restarted = server.sdUnit("${app}@8080.service")
server.check(restarted.NRestarts == '1' && restarted.ActiveState == 'active', "systemd restarted it once: ${restarted}")
report << "kill -9 of the live app (PID ${killed}): answering again through nginx after ${crashMs} ms (new PID ${restarted.MainPID})\n"

// the whole host rebooted: nginx and the live release come back by themselves, the kept v2 (disabled) does not
String bootBefore = server.sd('root', 'cat /proc/sys/kernel/random/boot_id').trim()
t0 = System.currentTimeMillis()
["${server.env.BLUEGREEN_IT_TOOLS}/systemd-host/ssh.sh", server.env.BLUEGREEN_SD_DIR, 'root', 'systemctl reboot'].execute().waitFor()
def bootId = { ->
    def process = ["${server.env.BLUEGREEN_IT_TOOLS}/systemd-host/ssh.sh", server.env.BLUEGREEN_SD_DIR, 'root',
                   'cat /proc/sys/kernel/random/boot_id'].execute()
    def out = new StringBuilder()
    process.waitForProcessOutput(out, new StringBuilder())
    process.exitValue() == 0 ? out.toString().trim() : null
}
// the reboot is asynchronous: first the new boot, then nginx and the app answering again
long rebootMs = answersAgain(t0, 'after the reboot') { def id = bootId(); id != null && id != bootBefore && server.sdGet('/', 2000) == [200, 'version=v1'] }
def afterReboot = server.sdUnit("${app}@8080.service")
server.check(afterReboot.ActiveState == 'active' && afterReboot.UnitFileState == 'enabled', "v1 is back: ${afterReboot}")
server.check(server.sdUnit("${app}@8081.service").ActiveState == 'inactive', 'the disabled v2 did not start at boot')
server.check(server.sdAppPids() == [afterReboot.MainPID as long], "exactly the live release runs: ${server.sdAppPids()}")
report << "systemctl reboot: nginx and release ${state.'live.release'} answering again after ${rebootMs} ms, with no deploy\n"

// a deploy after the reboot (instance records from the last boot, a new boot id), under load
server.startTraffic(new File(basedir, 'traffic-after-reboot'), server.sdUrl)
def after = new File(basedir, 'deploy-after-reboot.log')
int exit = server.mvn(basedir, localRepositoryPath, ['deploy', '-Pbluegreen', '-Ddemo.jar=v2'], after).waitFor()
def trafficAfter = server.stopTraffic(new File(basedir, 'traffic-after-reboot'))
server.check(exit == 0, "the deploy after the reboot: ${after.text.takeRight(3000)}")
def last = server.sdState(app)
server.check(last.phase == 'DONE' && last.'live.port' == '8081' && server.sdGet('/') == [200, 'version=v2'], "v2 live after it: ${last}")
server.check(server.sdAppPids() == [last.'live.pid' as long], "one app process: ${server.sdAppPids()}")
server.check(server.sdUnit("${app}@8080.service").UnitFileState == 'disabled', 'the old unit is disabled')
server.check(trafficAfter.failed == '0', "no request failed during the deploy after the reboot: ${trafficAfter.failures}")

// a rollback after all that: the live v1 had been restarted by systemd and by the reboot (other PIDs), yet it is still
// the release the deploy replaced, and its jar is known
server.startTraffic(new File(basedir, 'traffic-rollback'), server.sdUrl)
def back = new File(basedir, 'rollback-after-reboot.log')
exit = server.mvn(basedir, localRepositoryPath, ['bluegreen:rollback', '-Pbluegreen'], back).waitFor()
def trafficBack = server.stopTraffic(new File(basedir, 'traffic-rollback'))
server.check(exit == 0, "the rollback after restarts and a reboot: ${back.text.takeRight(3000)}")
server.check(server.sdState(app).'live.release' == state.'live.release' && server.sdGet('/') == [200, 'version=v1'],
        "v1's release is live again: ${server.sdState(app)}")
server.check(trafficBack.failed == '0', "no request failed during the rollback: ${trafficBack.failures}")
println report.text
return true

def it = evaluate(new File(itSupportFile))
def log = new File(basedir, 'build.log').text
it.check(log.contains('another deploy is running: deploy 20260101-000000-dead by ann@build-box-2 (Maven PID 4242), started '),
        'the stale lock is reported with its holder and age')
it.check(log.contains('if it was killed on another machine, remove its lock with -Dbluegreen.forceUnlock=true'), 'and how to clear it')
it.check(log.contains('[WARNING] Removing the deploy lock of deploy 20260101-000000-dead by ann@build-box-2'), 'forceUnlock says what it removed')

def second = new File(basedir, 'second-deploy.log')
for (int i = 0; i < 600 && !second.exists(); i++) {
    Thread.sleep(100)
}
def text = second.text
it.check(text.startsWith('exit=1'), "the concurrent deploy fails: ${text.take(300)}")
it.check((text =~ /another deploy is running: deploy \d{8}-\d{6}-[0-9a-f]{4} by \S+@\S+ \(Maven PID \d+\), started [0-9.]+ (ms|s) ago/).find(),
        "the concurrent deploy is refused with the holder: ${text.findAll(/.*another deploy.*/)}")
it.check(it.get('/') == [200, 'version=v1'], "the first deploy went through: ${it.get('/')}")
it.check(it.state('lock').phase == 'DONE', 'and finished')
return true

def it = evaluate(new File(itSupportFile))
def log = it.verifyBadReleaseRefused(basedir, "nginx-test-fails")
def check = { String text -> it.check(log.contains(text), "the build log should say: ${text}") }
check('nginx config test failed, include restored, nginx not reloaded')
check('unknown directive "this_is_not_a_directive"')
check('Fix the nginx configuration')
it.check(!new File(it.include().path + '.bak').exists(), 'no backup left behind')
return true

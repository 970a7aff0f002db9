def it = evaluate(new File(itSupportFile))
def log = it.verifyBadReleaseRefused(basedir, "health-hangs")
def check = { String text -> it.check(log.contains(text), "the build log should say: ${text}") }
check('did not become healthy within 30.0 s')
check('last health answer: no answer within 1000 ms')
return true

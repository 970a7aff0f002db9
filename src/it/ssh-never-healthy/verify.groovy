def it = evaluate(new File(itSupportFile))
def log = it.verifyBadReleaseRefused(basedir, "never-healthy")
def check = { String text -> it.check(log.contains(text), "the build log should say: ${text}") }
check('[ERROR] Failed to execute goal io.github.bluegreen:bluegreen-maven-plugin')
check('did not become healthy within 30.0 s of its launch (bluegreen.healthTimeoutSeconds); last health answer: HTTP 503 {"status":"DOWN"')
check('It was stopped; nginx and the live app are untouched.')
return true

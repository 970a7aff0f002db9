def it = evaluate(new File(itSupportFile))
def log = it.verifyBadReleaseRefused(basedir, "exits-at-start")
def check = { String text -> it.check(log.contains(text), "the build log should say: ${text}") }
check('exited during startup after ')
check('Unrecognized VM option')   // the log tail
def took = (log =~ /exited during startup after ([0-9.]+) (ms|s)/)[0]
double seconds = (took[1] as double) / (took[2] == 'ms' ? 1000 : 1)
it.check(seconds < 2.0, "a crashed start is reported within 2 s, took ${seconds} s")
return true

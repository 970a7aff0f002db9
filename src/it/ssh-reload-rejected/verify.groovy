def it = evaluate(new File(itSupportFile))
try {
    def log = it.verifyBadReleaseRefused(basedir, 'reload-rejected')
    def check = { String text -> it.check(log.contains(text), "the build log should say: ${text}") }
    check('nginx rejected the new configuration')
    check('include restored')
    it.check(!log.contains('bluegreen.nginxPidFile'), 'no pid-file hint: nginx said why')
    check('bind() to 127.0.0.1:19999 failed')
    def took = (log =~ /nginx rejected the new configuration (\d+) ms after the reload/)
    it.check(took.find() && (took.group(1) as int) < 5000, "it failed as soon as nginx said why, not after the 10 s reload timeout: ${took ? took.group(0) : log.findAll(/.*nginx rejected.*/)}")
} finally {
    new File(it.include().parentFile, 'extra-listen.inc').delete()
    it.stop(new File(basedir, 'listener.pid').text as long)
}
return true

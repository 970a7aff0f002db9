def it = evaluate(new File(itSupportFile))
def log = new File(basedir, 'build.log').text
it.check(log.contains("the jar to deploy, ${basedir}/target/not-built.jar, does not exist or is unreadable: build it first (mvn package) or set bluegreen.artifact (parameter bluegreen.artifact)"),
        'the missing jar is named with the fix')
it.check(!log.contains('cannot connect'), 'nothing tried to connect')
return true

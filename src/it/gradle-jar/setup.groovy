def it = evaluate(new File(itSupportFile))
it.resetServer()
// what `gradle bootJar` leaves: build/libs/pium.jar (here the example Spring Boot app, v1)
def jar = new File(basedir, 'build/libs/pium.jar')
jar.parentFile.mkdirs()
jar.bytes = new File(it.jar('v1')).bytes
it.startTraffic(new File(basedir, 'traffic'))
return true

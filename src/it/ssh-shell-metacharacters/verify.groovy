def it = evaluate(new File(itSupportFile))
(1..4).each { n -> it.check(!new File("/tmp/bluegreen-pwned-${n}").exists(), "injected command ${n} must not run") }
def base = new File(it.env.BLUEGREEN_IT_HOME, 'blue green/it\'s $(touch /tmp/bluegreen-pwned-1)')
def state = new Properties()
new File(base, 'state.properties').withReader { state.load(it) }
it.check(state.phase == 'DONE', "deployed into the literal base dir: ${state}")
long pid = state.'live.pid' as long
def cmdline = new File("/proc/${pid}/cmdline").text.split('\u0000') as List
it.check(cmdline.contains('-Dit.quote=it\'s "quoted" `touch /tmp/bluegreen-pwned-2` $HOME'), "JVM arg passed literally: ${cmdline}")
it.check(cmdline.contains('--demo.note=; touch /tmp/bluegreen-pwned-3 && echo $(id) | * ?'), "app arg passed literally: ${cmdline}")
def environ = new File("/proc/${pid}/environ").text.split('\u0000') as List
it.check(environ.contains('DEMO_ENV=a b \'c\' "d" $(touch /tmp/bluegreen-pwned-4)'), 'environment value passed literally')
it.check(it.get('/') == [200, 'version=v1'], "the app answers through nginx: ${it.get('/')}")
return true

def it = evaluate(new File(itSupportFile))
it.setupLiveV1WithTraffic(basedir)
// another program holds 127.0.0.1:19999, and the site now also wants to listen there: nginx -t passes, the reload cannot bind
def source = new File(it.env.BLUEGREEN_IT_HOME, 'Listener.java')
source.text = new File(basedir, '../ssh-foreign-port/Listener.java').text
long pid = it.firstNumber(it.runAsUser(['sh', '-c', 'cd "$2" && { nohup setsid java "$1" 19999 > /dev/null 2>&1 < /dev/null & } && echo $!',
        'sh', source.path, it.env.BLUEGREEN_IT_HOME]))
new File(basedir, 'listener.pid').text = pid
for (int i = 0; i < 200; i++) {
    try {
        new Socket('127.0.0.1', 19999).close()
        break
    } catch (IOException ignored) {
        Thread.sleep(100)
    }
}
it.runAsUser(['sh', '-c', 'echo "listen 127.0.0.1:19999;" > "$1"', 'sh', new File(it.include().parentFile, 'extra-listen.inc').path])
return true

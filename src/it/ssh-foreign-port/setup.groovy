def it = evaluate(new File(itSupportFile))
it.resetServer()
def source = new File(it.env.BLUEGREEN_IT_HOME, 'Listener.java')   // where the deploy user can read it
source.text = new File(basedir, 'Listener.java').text
long pid = it.firstNumber(it.runAsUser(['sh', '-c', 'cd "$2" && { nohup setsid java "$1" 19080 > /dev/null 2>&1 < /dev/null & } && echo $!',
        'sh', source.path, it.env.BLUEGREEN_IT_HOME]))
for (int i = 0; i < 200; i++) {
    try {
        new Socket('127.0.0.1', 19080).close()
        break
    } catch (IOException ignored) {
        Thread.sleep(100)
    }
}
new File(basedir, 'listener.pid').text = pid
return true

def it = evaluate(new File(itSupportFile))
it.setupLiveV1WithTraffic(basedir)
// another program holds 127.0.0.1:19999, and the site now also wants to listen there: nginx -t passes, the reload cannot bind
new File(basedir, 'listener.pid').text = it.startListener(new File(basedir, '../ssh-foreign-port/Listener.java'), 19999)
it.runAsUser(['sh', '-c', 'echo "listen 127.0.0.1:19999;" > "$1"', 'sh', new File(it.include().parentFile, 'extra-listen.inc').path])
return true

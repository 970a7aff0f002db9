def it = evaluate(new File(itSupportFile))
it.resetServer()
new File(basedir, 'listener.pid').text = it.startListener(new File(basedir, 'Listener.java'), 19080)
return true

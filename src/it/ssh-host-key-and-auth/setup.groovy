def it = evaluate(new File(itSupportFile))
it.resetServer()
new File(basedir, 'empty_known_hosts').text = ''
// a known_hosts line with some other key for the same [host]:port
it.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', new File(basedir, 'other_host_key').path])
new File(basedir, 'changed_known_hosts').text = "[127.0.0.1]:${it.env.BLUEGREEN_IT_SSH_PORT} " +
        new File(basedir, 'other_host_key.pub').text.split(' ')[0..1].join(' ') + '\n'
it.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', new File(basedir, 'stranger_ed25519').path])
return true

package io.github.bluegreen.core.ssh;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Proxy;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * The next hop's connection as a channel of the previous hop's session (direct-tcpip, as OpenSSH's ProxyJump does): no
 * port is opened anywhere, and the next session checks the host key of the host it names, as if connected directly.
 */
final class JumpProxy implements Proxy {
    private final Session jump;
    private Channel channel;
    private InputStream in;
    private OutputStream out;

    JumpProxy(Session jump) {
        this.jump = jump;
    }

    @Override
    public void connect(SocketFactory factory, String host, int port, int timeout) throws Exception {
        Channel opened = jump.getStreamForwarder(host, port);
        if (opened == null) {
            throw new JSchException("the jump host's session is closed");
        }
        in = opened.getInputStream();
        out = opened.getOutputStream();
        opened.connect(timeout);
        if (!opened.isConnected()) {   // JSch reports some refusals only this way
            throw new JSchException("the jump host cannot open a connection to " + host + ":" + port);
        }
        channel = opened;
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public Socket getSocket() {
        return null;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.disconnect();
        }
    }
}

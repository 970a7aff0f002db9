package io.github.bluegreen.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A minimal HTTP/1.0 GET over any byte stream: a local socket or an SSH direct-tcpip channel. */
final class HttpProbe {
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private HttpProbe() {}

    static HttpResult get(InputStream in, OutputStream out, int port, String path) throws IOException {
        String request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + port
                + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = new String(in.readNBytes(MAX_RESPONSE_BYTES), StandardCharsets.UTF_8);
        if (response.isEmpty()) {
            throw new IOException("connection closed without an answer");
        }
        String[] statusLine = response.split("\r?\n", 2)[0].split(" ");
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP answer: " + statusLine[0]);
        }
        int bodyStart = response.indexOf("\r\n\r\n");
        String body = bodyStart < 0 ? "" : response.substring(bodyStart + 4);
        try {
            return new HttpResult(Integer.parseInt(statusLine[1]), body);
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line: " + response.split("\r?\n", 2)[0]);
        }
    }
}

package io.aigw.server.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A plain socket speaking HTTP/1.1 by hand, for what an HTTP client library would hide: bytes that
 * are not valid UTF-8, several requests on one connection, a client that stops reading or leaves.
 */
public final class RawHttp implements AutoCloseable {
    public final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        this(port, 0);
    }

    /** receiveBuffer > 0 shrinks the socket's receive buffer, so a non-reading client fills up fast. */
    public RawHttp(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void write(String ascii) throws IOException {
        write(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends a POST with the given body bytes and an optional Authorization key. */
    public void post(String path, String key, byte[] body) throws IOException {
        String head = "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        all.writeBytes(body);
        write(all.toByteArray());
    }

    /** Reads one response with a Content-Length body (not chunked). */
    public Response readResponse() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        StringBuilder headers = new StringBuilder();
        int length = 0;
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            headers.append(line.toLowerCase(Locale.ROOT)).append('\n');
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new Response(status, headers.toString(), new String(body, StandardCharsets.UTF_8));
    }

    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    public InputStream in() {
        return in;
    }

    /** Reads the status line and headers of a response; returns the status. */
    public int readHead() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            // headers are not needed by the streaming tests
        }
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    /** The body of a chunked response, de-chunked: HTTP chunk borders need not match SSE events. */
    public InputStream chunkedBody() {
        return new InputStream() {
            private long left;
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
            }

            /** Returns what has arrived (at least one byte), never waiting to fill the whole array. */
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (ended) {
                    return -1;
                }
                if (left == 0) {
                    String size = readLine();
                    if (size != null && size.isEmpty()) {
                        size = readLine();
                    }
                    if (size == null) {
                        ended = true;
                        return -1;
                    }
                    left = Long.parseLong(size.trim(), 16);
                    if (left == 0) {
                        ended = true;
                        return -1;
                    }
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }

    /** True if the server closed the connection (read returns end of stream) within the socket timeout. */
    public boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    public record Response(int status, String headers, String body) {
        public boolean hasHeader(String nameColonValuePrefix) {
            return headers.contains(nameColonValuePrefix.toLowerCase(Locale.ROOT));
        }
    }
}

package dev.snoop.record;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between the sidecar and {@code snoop serve} that makes the faults of
 * the fault tests: it refuses service (a server that is down), answers a status itself (429 and
 * 503 storms, an ingress's 413), cuts a request part-way, drops a response the server already
 * committed (so the client sends it again: a duplicate), or holds a request half-sent (so the
 * server can be killed mid-request). It reads each HTTP/1.1 request whole (the JDK client sends a
 * Content-Length), forwards it with {@code Connection: close} and relays the answer until EOF,
 * one request a connection. Every request forwarded whole is recorded, for replays.
 */
final class FaultProxy implements AutoCloseable {
    enum Mode { FORWARD, DOWN, STATUS }

    /** A request as the client sent it: its head (request line and headers) and body. */
    record Recorded(String head, byte[] body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private final ServerSocket listener;
    private final Thread acceptor;
    private final Random random = new Random(12);
    private volatile int targetPort;
    private volatile Mode mode = Mode.FORWARD;
    private volatile int status;
    private volatile long maxBodyBytes = Long.MAX_VALUE;
    private volatile double cutRequests;
    private volatile double dropResponses;
    private final java.util.concurrent.atomic.AtomicBoolean holdPending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile CountDownLatch held = new CountDownLatch(0);
    private volatile CountDownLatch release = new CountDownLatch(0);
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger cut = new AtomicInteger();
    final AtomicInteger dropped = new AtomicInteger();
    final List<Recorded> recorded = Collections.synchronizedList(new ArrayList<>());

    FaultProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    void target(int port) {
        this.targetPort = port;
    }

    void forward() {
        this.mode = Mode.FORWARD;
    }

    void down() {
        this.mode = Mode.DOWN;
    }

    /** Answers every request with {@code code} and {@code Retry-After: 1}, forwarding none. */
    void answer(int code) {
        this.status = code;
        this.mode = Mode.STATUS;
    }

    /** Answers 413 to bodies over {@code bytes}, as an ingress with a smaller limit does. */
    void maxBodyBytes(long bytes) {
        this.maxBodyBytes = bytes;
    }

    /** While forwarding: the share of requests cut part-way, and of answers dropped after the server sent them. */
    void faults(double cutRequests, double dropResponses) {
        this.cutRequests = cutRequests;
        this.dropResponses = dropResponses;
    }

    /** The next request is forwarded half and held there; returns a latch counted down once it is. */
    CountDownLatch holdNext() {
        held = new CountDownLatch(1);
        release = new CountDownLatch(1);
        holdPending.set(true);
        return held;
    }

    /** Lets a held request go on (its server may be gone by then). */
    void release() {
        release.countDown();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        release.countDown();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Thread t = new Thread(() -> serve(client), "fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(60_000);
            if (mode == Mode.DOWN) {
                refused.incrementAndGet();
                client.setSoLinger(true, 0); // a reset, as from a port nobody listens on
                return;
            }
            Recorded request = read(client.getInputStream());
            if (request == null) {
                return;
            }
            requests.incrementAndGet();
            Mode now = mode;
            if (now == Mode.STATUS || request.body().length > maxBodyBytes) {
                int code = now == Mode.STATUS ? status : 413;
                answered.incrementAndGet();
                byte[] body = ("{\"error\": \"from the fault proxy\"}\n").getBytes(StandardCharsets.UTF_8);
                client.getOutputStream().write(("HTTP/1.1 " + code + " Fault\r\nRetry-After: 1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().write(body);
                client.getOutputStream().flush();
                return;
            }
            byte[] upstream = upstreamBytes(request);
            boolean cutThis;
            boolean dropThis;
            synchronized (random) {
                cutThis = random.nextDouble() < cutRequests;
                dropThis = !cutThis && random.nextDouble() < dropResponses;
            }
            try (Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
                server.setSoTimeout(60_000);
                OutputStream out = server.getOutputStream();
                if (holdPending.compareAndSet(true, false)) {
                    out.write(upstream, 0, upstream.length - request.body().length / 2);
                    out.flush();
                    CountDownLatch r = release;
                    held.countDown();
                    r.await();
                    out.write(upstream, upstream.length - request.body().length / 2, request.body().length / 2);
                } else if (cutThis) {
                    int at;
                    synchronized (random) {
                        at = 1 + random.nextInt(upstream.length - 1);
                    }
                    out.write(upstream, 0, at);
                    out.flush();
                    cut.incrementAndGet();
                    server.setSoLinger(true, 0);
                    client.setSoLinger(true, 0);
                    return;
                } else {
                    out.write(upstream);
                }
                out.flush();
                byte[] answer = server.getInputStream().readAllBytes();
                recorded.add(request);
                if (dropThis) {
                    dropped.incrementAndGet(); // the server has it; the client never hears
                    client.setSoLinger(true, 0);
                    return;
                }
                client.getOutputStream().write(answer);
                client.getOutputStream().flush();
            }
        } catch (IOException e) {
            // a side went away (a killed server, a cut): the client sees its connection end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The request with its Connection header replaced by close, so the answer ends at EOF. */
    private static byte[] upstreamBytes(Recorded request) {
        StringBuilder head = new StringBuilder();
        for (String line : request.head().split("\r\n")) {
            if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                head.append(line).append("\r\n");
            }
        }
        head.append("Connection: close\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + request.body().length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(request.body(), 0, all, h.length, request.body().length);
        return all;
    }

    /** One request, or null at EOF before one began. */
    private static Recorded read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        String headers = text.substring(0, text.length() - 4);
        Recorded noBody = new Recorded(headers, new byte[0]);
        String length = noBody.header("Content-Length");
        byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        return new Recorded(headers, body);
    }
}

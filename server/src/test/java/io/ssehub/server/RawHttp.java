package io.ssehub.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * HTTP/1.1 at the byte level, for tests that must see exactly what goes over the wire: the raw
 * bytes of a stream, a request with a bad percent-encoding or invalid UTF-8 that a real client
 * would refuse to send, a body cut off by the server. Every read is bounded by a socket timeout.
 */
public final class RawHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private RawHttp() {}

  /** One parsed response. Header names are lower case. */
  public record Response(int status, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : values.get(0);
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text(), e);
      }
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + text();
    }
  }

  /** Sends {@code request} (CRLFs and all) on a new connection and reads one response. */
  public static Response exchange(int port, String request) {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** As {@link #exchange(int, String)}, with raw bytes (for invalid UTF-8). */
  public static Response exchange(int port, byte[] request) {
    try (Socket socket = connect(port)) {
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
    socket.setSoTimeout((int) TIMEOUT.toMillis());
    return socket;
  }

  /** Reads one response: head, then a body by Content-Length, chunks, or up to the close. */
  public static Response read(InputStream in) throws IOException {
    Head head = readHead(in);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = head.header("content-length");
    if (length != null) {
      body.write(readExactly(in, Integer.parseInt(length.trim())));
    } else if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
      ChunkReader chunks = new ChunkReader(in);
      byte[] chunk;
      while ((chunk = chunks.next()) != null) {
        body.write(chunk);
      }
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(head.status, head.headers, body.toByteArray());
  }

  /** The status line and headers of a response. */
  public record Head(int status, Map<String, List<String>> headers) {
    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : values.get(0);
    }
  }

  public static Head readHead(InputStream in) throws IOException {
    String statusLine = readLine(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not a status line: " + statusLine);
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String line;
    while (!(line = readLine(in)).isEmpty()) {
      int colon = line.indexOf(':');
      headers
          .computeIfAbsent(
              line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(line.substring(colon + 1).trim());
    }
    return new Head(Integer.parseInt(parts[1]), headers);
  }

  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EOFException("connection closed in the middle of a line: " + line);
      }
      line.write(b);
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  static byte[] readExactly(InputStream in, int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length < n) {
      throw new EOFException("expected " + n + " bytes, got " + bytes.length);
    }
    return bytes;
  }

  /** Reads a chunked body chunk by chunk. */
  static final class ChunkReader {
    private final InputStream in;

    ChunkReader(InputStream in) {
      this.in = in;
    }

    /** The next chunk's bytes, or null after the last (zero-length) chunk and its trailers. */
    byte[] next() throws IOException {
      String sizeLine = readLine(in);
      int semicolon = sizeLine.indexOf(';');
      int size =
          Integer.parseInt(
              (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        while (!readLine(in).isEmpty()) {
          // trailers
        }
        return null;
      }
      byte[] chunk = readExactly(in, size);
      if (!readLine(in).isEmpty()) {
        throw new IOException("chunk of " + size + " bytes not followed by CRLF");
      }
      return chunk;
    }
  }

  /**
   * A {@code text/event-stream} response read as raw bytes: what a client receives, de-chunked,
   * with nothing parsed. For assertions on the exact lines on the wire.
   */
  public static final class Stream implements AutoCloseable {
    private final Socket socket;
    private final Head head;
    private final ChunkReader chunks;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private boolean ended;

    private Stream(Socket socket, Head head) {
      this.socket = socket;
      this.head = head;
      this.chunks = new ChunkReader(inputOf(socket));
    }

    /**
     * Sends {@code GET target} with {@code extraHeaders} (lines without CRLF) and reads the head.
     */
    public static Stream open(int port, String target, String... extraHeaders) {
      try {
        Socket socket = connect(port);
        StringBuilder request =
            new StringBuilder(
                "GET "
                    + target
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n");
        for (String header : extraHeaders) {
          request.append(header).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new Stream(socket, readHead(socket.getInputStream()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public Head head() {
      return head;
    }

    /** Everything received so far, as UTF-8 text. */
    public String text() {
      return received.toString(StandardCharsets.UTF_8);
    }

    /**
     * Reads until {@code done} holds for the text received so far; fails after {@code timeout} with
     * what arrived.
     */
    public String readUntil(Predicate<String> done, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (!done.test(text())) {
          if (ended) {
            throw new AssertionError("stream ended; received: " + text());
          }
          int left = (int) Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis());
          if (System.nanoTime() > deadline) {
            throw new AssertionError("Timed out after " + timeout + "; received: " + text());
          }
          socket.setSoTimeout(left);
          byte[] chunk = chunks.next();
          if (chunk == null) {
            ended = true;
          } else {
            received.write(chunk);
          }
        }
        return text();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("Timed out after " + timeout + "; received: " + text(), e);
      } catch (IOException e) {
        throw new UncheckedIOException("stream failed; received: " + text(), e);
      }
    }

    /**
     * Reads to the end of the response and returns the text. Fails if the connection ends without
     * the chunked terminator (a reset or a bare close), or after {@code timeout}.
     */
    public String readToEnd(Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (!ended) {
          long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
          if (left <= 0) {
            throw new AssertionError(
                "Timed out after " + timeout + " waiting for the end; received: " + text());
          }
          socket.setSoTimeout((int) left);
          byte[] chunk = chunks.next();
          if (chunk == null) {
            ended = true;
          } else {
            received.write(chunk);
          }
        }
        return text();
      } catch (IOException e) {
        throw new AssertionError("stream did not end cleanly (" + e + "); received: " + text(), e);
      }
    }

    /** Whether the server closed the connection after the response (reads EOF). */
    public boolean connectionClosed(Duration timeout) {
      try {
        socket.setSoTimeout((int) timeout.toMillis());
        return socket.getInputStream().read() < 0;
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing a test socket
      }
    }

    private static InputStream inputOf(Socket socket) {
      try {
        return socket.getInputStream();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

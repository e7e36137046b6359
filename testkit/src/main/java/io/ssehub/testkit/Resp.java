package io.ssehub.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough RESP2 (https://redis.io/docs/latest/develop/reference/protocol-spec/) to send one
 * command on a fresh connection and read one reply. Why not a Redis client: the test kit must not
 * depend on the library under test (Lettuce, through ssehub-redis) to check what it did.
 */
final class Resp {
  private Resp() {}

  /**
   * Sends {@code args} as one command on a new connection and returns the reply: {@code String} for
   * simple and bulk strings, {@code Long} for integers, {@code List<Object>} for arrays, {@code
   * null} for nil.
   *
   * @throws RedisServer.ErrorReply for an error reply
   * @throws UncheckedIOException if the server can't be reached or hangs up
   */
  static Object call(String host, int port, Duration timeout, String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(encode(args));
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()), args);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Redis at " + host + ":" + port + " did not answer " + String.join(" ", args), e);
    }
  }

  static byte[] encode(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] header = ("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(header);
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(bytes);
      out.writeBytes(new byte[] {'\r', '\n'});
    }
    return out.toByteArray();
  }

  static Object read(InputStream in, String... command) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed before a reply");
    }
    String line = readLine(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new RedisServer.ErrorReply(line, String.join(" ", command));
      case ':':
        return Long.parseLong(line);
      case '$':
        {
          int length = Integer.parseInt(line);
          if (length < 0) {
            return null;
          }
          byte[] bytes = in.readNBytes(length + 2); // + CRLF
          if (bytes.length < length + 2) {
            throw new EOFException("bulk string cut short");
          }
          return new String(bytes, 0, length, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int count = Integer.parseInt(line);
          if (count < 0) {
            return null;
          }
          List<Object> items = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            try {
              items.add(read(in, command));
            } catch (RedisServer.ErrorReply e) {
              items.add(e); // an error inside an array (EXEC) is a value, not a failure
            }
          }
          return items;
        }
      default:
        throw new IOException("not a RESP2 reply type: '" + (char) type + "' " + line);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\r') {
      if (b < 0) {
        throw new EOFException("connection closed inside a reply");
      }
      line.write(b);
    }
    if (in.read() != '\n') {
      throw new IOException("CR without LF in reply");
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}

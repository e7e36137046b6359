package io.ssehub.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code redis-cli SUBSCRIBE} in a few lines of RESP2: sees the bytes on a channel as any
 * flask-sse reader would, without Lettuce (the library under test).
 */
final class RawSubscriber implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;

  RawSubscriber(String host, int port, String command, String channel) {
    try {
      socket = new Socket();
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoTimeout((int) RecordingListener.WAIT.toMillis());
      in = new BufferedInputStream(socket.getInputStream());
      byte[] name = channel.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(
          ("*2\r\n$" + command.length() + "\r\n" + command + "\r\n$" + name.length + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(name);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(out.toByteArray());
      socket.getOutputStream().flush();
      read(); // the subscribe confirmation
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next message's payload, exactly as Redis delivered it. */
  String nextMessage() {
    try {
      List<?> push = (List<?>) read();
      return new String((byte[]) push.get(2), StandardCharsets.UTF_8);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("Timed out waiting for a message on the raw subscriber", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException();
    }
    String line = readLine();
    switch (type) {
      case ':':
        return Long.parseLong(line);
      case '+':
      case '-':
        return line;
      case '$':
        {
          int length = Integer.parseInt(line);
          byte[] bytes = in.readNBytes(length + 2);
          byte[] value = new byte[length];
          System.arraycopy(bytes, 0, value, 0, length);
          return value;
        }
      case '*':
        {
          int count = Integer.parseInt(line);
          List<Object> items = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            items.add(read());
          }
          return items;
        }
      default:
        throw new IOException("unexpected RESP type " + (char) type);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\r') {
      if (b < 0) {
        throw new EOFException();
      }
      line.write(b);
    }
    in.read();
    return line.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}

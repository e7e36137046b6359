package io.ssehub.server.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.ssehub.core.SseHub;
import io.ssehub.http.CorsPolicy;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.server.Refusals;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the server's whole pipeline on an {@link EmbeddedChannel}: raw bytes in, in pieces. No
 * exception may escape, the channel must end with nothing left in it, and no stream may stay
 * registered with the hub. Paranoid leak detection (the test JVM's setting) reports leaks.
 */
class HttpPipelineFuzzTest {
  static final AtomicLong INPUTS = new AtomicLong();
  private static final SseHub HUB =
      SseHub.builder().keepalive(Duration.ZERO).maxEventBytes(1024).build();
  private static final ServerOptions OPTIONS =
      new ServerOptions(
          JwtAuthenticator.hmacSecret(
                  "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8))
              .build(),
          CorsPolicy.of(List.of("*", "http://a.example")),
          0,
          0,
          2048,
          1024,
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          ServerOptions.DEFAULT_MAX_FAN_OUT_BACKLOG,
          ServerOptions.DEFAULT_MAX_FAN_OUT_DELAY);
  private static final ServerContext CONTEXT =
      new ServerContext(HUB, 2048, OPTIONS, new Refusals());
  private static final String[] PREFIXES = {
    "GET /stream?channel=a HTTP/1.1\r\n",
    "POST /publish HTTP/1.1\r\nContent-Type: application/json\r\n",
    "OPTIONS /publish HTTP/1.1\r\nOrigin: http://a.example\r\nAccess-Control-Request-Method: POST\r\n",
    "GET /health HTTP/1.1\r\n",
    "GET / HTTP/1.0\r\n",
    ""
  };

  @FuzzTest(maxDuration = "30s")
  void rawBytes(FuzzedDataProvider data) {
    INPUTS.incrementAndGet();
    EmbeddedChannel channel = new EmbeddedChannel(new HttpInitializer(CONTEXT));
    try {
      byte[] prefix = data.pickValue(PREFIXES).getBytes(StandardCharsets.ISO_8859_1);
      channel.writeInbound(Unpooled.wrappedBuffer(prefix));
      while (data.remainingBytes() > 0 && channel.isOpen()) {
        byte[] piece = data.consumeBytes(data.consumeInt(1, 512));
        channel.writeInbound(Unpooled.wrappedBuffer(piece));
        channel.runPendingTasks();
        drain(channel);
      }
      channel.checkException();
    } finally {
      channel.close();
      channel.runPendingTasks();
      drain(channel);
      if (channel.finishAndReleaseAll()) {
        throw new AssertionError("messages left in the channel");
      }
    }
    if (HUB.streamCount() != 0) {
      throw new AssertionError("a stream outlived its connection: " + HUB.streamCount());
    }
  }

  private static void drain(EmbeddedChannel channel) {
    Object out;
    while ((out = channel.readOutbound()) != null) {
      ReferenceCountUtil.release(out);
    }
  }

  @AfterAll
  static void count() {
    System.out.println(
        "[fuzz] server pipeline (EmbeddedChannel): " + INPUTS.get() + " inputs executed");
  }
}

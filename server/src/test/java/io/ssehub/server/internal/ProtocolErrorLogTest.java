package io.ssehub.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.ssehub.core.SseHub;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Errors a client causes at will are logged a line at a time, not a stack trace each, and nothing
 * logged about a request holds its secrets.
 */
class ProtocolErrorLogTest {
  private static final String SECRET = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2ln";

  private final Logger routerLog = (Logger) LoggerFactory.getLogger(HttpRouter.class);
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Level levelBefore;
  private SseHub hub;

  @BeforeEach
  void capture() {
    levelBefore = routerLog.getLevel();
    routerLog.setLevel(Level.INFO);
    captured.start();
    routerLog.addAppender(captured);
    hub = SseHub.builder().keepalive(Duration.ZERO).build();
  }

  @AfterEach
  void release() {
    routerLog.detachAppender(captured);
    routerLog.setLevel(levelBefore);
    hub.close();
  }

  @Test
  void aFloodOfMalformedStreamsLogsOneLineWithoutTheToken() {
    ServerContext context = new ServerContext(hub, 1024);
    for (int i = 0; i < 200; i++) {
      EmbeddedChannel connection = new EmbeddedChannel(new HttpInitializer(context));
      // What the HTTP/2 codec throws for a :path with an illegal character: the path, token and
      // all.
      connection
          .pipeline()
          .fireExceptionCaught(
              Http2Exception.streamError(
                  3,
                  Http2Error.PROTOCOL_ERROR,
                  "Invalid HTTP/2 path: /stream?channel=a&token=" + SECRET + "\u0001"));
      connection.finishAndReleaseAll();
    }
    assertThat(captured.list).hasSize(1);
    ILoggingEvent line = captured.list.get(0);
    assertThat(line.getLevel()).isEqualTo(Level.WARN);
    assertThat(line.getThrowableProxy()).as("no stack trace below DEBUG").isNull();
    assertThat(line.getFormattedMessage())
        .contains("Http2Exception", "token=***")
        .doesNotContain(SECRET);
  }

  @Test
  void theCountOfLinesLeftOutGoesWithTheNextLine() {
    AtomicLong now = new AtomicLong(1);
    RateLimitedLog log = new RateLimitedLog(routerLog, Duration.ofSeconds(10), now::get);
    for (int i = 0; i < 50; i++) {
      log.warn("kind", "Something failed", new IllegalStateException("x"));
    }
    log.warn("another kind", "Something else failed", new IllegalStateException("y"));
    assertThat(captured.list).hasSize(2);
    assertThat(log.suppressed("kind")).isEqualTo(49);

    now.addAndGet(Duration.ofSeconds(10).toNanos());
    log.warn("kind", "Something failed", new IllegalStateException("x"));
    assertThat(captured.list).hasSize(3);
    assertThat(captured.list.get(2).getFormattedMessage())
        .contains("49 more like it in the last 10 s");
    assertThat(log.suppressed("kind")).isZero();
  }

  @Test
  void atDebugTheStackTraceIsLoggedWithoutTheSecrets() {
    routerLog.setLevel(Level.DEBUG);
    RateLimitedLog log = new RateLimitedLog(routerLog, Duration.ofSeconds(10));
    log.warn(
        "kind",
        "Bad request",
        new IllegalArgumentException(
            "GET /x?token=" + SECRET, new IllegalStateException("Cookie: ssehub_token=" + SECRET)));
    String logged =
        captured.list.get(0).getFormattedMessage()
            + ThrowableProxyUtil.asString(captured.list.get(0).getThrowableProxy());
    assertThat(logged).contains("IllegalArgumentException", "at io.ssehub").doesNotContain(SECRET);
  }

  @Test
  void redactionStripsTokensCookiesAndPasswords() {
    assertThat(Redaction.strip("/stream?channel=a&token=" + SECRET + "&x=1"))
        .isEqualTo("/stream?channel=a&token=***&x=1");
    assertThat(Redaction.strip("/.well-known/mercure?authorization=" + SECRET))
        .isEqualTo("/.well-known/mercure?authorization=***");
    assertThat(Redaction.strip("Cookie: ssehub_token=" + SECRET)).isEqualTo("Cookie: ***");
    assertThat(Redaction.strip("Authorization: Bearer " + SECRET)).isEqualTo("Authorization: ***");
    assertThat(Redaction.strip("redis://user:" + SECRET + "@127.0.0.1:6380/0"))
        .isEqualTo("redis://user:***@127.0.0.1:6380/0");
    assertThat(Redaction.strip("/stream?channel=tokens")).isEqualTo("/stream?channel=tokens");
    assertThat(Redaction.strip(null)).isNull();
  }
}

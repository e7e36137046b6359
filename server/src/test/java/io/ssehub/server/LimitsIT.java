package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.SseHub;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Publishes over a connection limit are refused with a status a backend can act on and a {@code
 * Retry-After}: 503 when the hub as a whole is full, 429 when one address holds too many. (Streams
 * over a limit are told to come back later instead: see {@code HostileInputIT}.)
 */
class LimitsIT {
  private static final String PUBLISH =
      "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n"
          + "{\"channel\":\"a\",\"data\":\"over\"}";

  @Test
  void publishOverTheTotalLimitGets503WithRetryAfter() {
    try (SseHub hub = SseHub.builder().build();
        SseHubServer server =
            SseHubServer.builder()
                .host("127.0.0.1")
                .port(0)
                .hub(hub)
                .maxConnections(3)
                .build()
                .start()) {
      List<RawHttp.Stream> streams = fill(server, 3);
      try {
        RawHttp.Response refused = RawHttp.exchange(server.port(), PUBLISH);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("retry-after")).isEqualTo("30");
        assertThat(new String(refused.body(), StandardCharsets.UTF_8))
            .contains("\"error\":\"too_many_connections\"");
        assertThat(server.refusals().count(Refusals.Cause.MAX_CONNECTIONS)).isEqualTo(1);
      } finally {
        streams.forEach(RawHttp.Stream::close);
      }
    }
  }

  @Test
  void publishOverThePerAddressLimitGets429WithRetryAfter() {
    try (SseHub hub = SseHub.builder().build();
        SseHubServer server =
            SseHubServer.builder()
                .host("127.0.0.1")
                .port(0)
                .hub(hub)
                .maxConnectionsPerIp(2)
                .build()
                .start()) {
      List<RawHttp.Stream> streams = fill(server, 2);
      try {
        RawHttp.Response refused = RawHttp.exchange(server.port(), PUBLISH);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("retry-after")).isEqualTo("30");
        assertThat(new String(refused.body(), StandardCharsets.UTF_8))
            .contains("\"error\":\"too_many_connections_from_address\"");
        assertThat(server.refusals().count(Refusals.Cause.MAX_CONNECTIONS_PER_IP)).isEqualTo(1);
      } finally {
        streams.forEach(RawHttp.Stream::close);
      }
    }
  }

  private static List<RawHttp.Stream> fill(SseHubServer server, int count) {
    List<RawHttp.Stream> streams = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      RawHttp.Stream stream = RawHttp.Stream.open(server.port(), "/stream?channel=a");
      assertThat(stream.head().status()).isEqualTo(200);
      streams.add(stream);
    }
    return streams;
  }
}

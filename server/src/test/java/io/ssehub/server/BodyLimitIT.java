package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.SseHub;
import org.junit.jupiter.api.Test;

/** The request body limit follows the hub's {@code maxEventBytes} when a hub is given. */
class BodyLimitIT {
  private static final long HUB_MAX_EVENT_BYTES = 2048;

  @Test
  void aGivenHubSizesTheBodyLimit() {
    long limit = HUB_MAX_EVENT_BYTES + SseHubServer.BODY_ALLOWANCE_BYTES;
    try (SseHubServer server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub(SseHub.builder().maxEventBytes(HUB_MAX_EVENT_BYTES).build())
            .build()
            .start()) {
      // Refused by its Content-Length alone: the body is never sent.
      RawHttp.Response response =
          RawHttp.exchange(
              server.port(),
              "POST /publish HTTP/1.1\r\nHost: x\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + (limit + 1)
                  + "\r\nConnection: close\r\n\r\n");
      assertThat(response.status()).isEqualTo(413);
      assertThat(response.json().get("message").asText())
          .contains("expected: at most " + limit + " bytes");
    }
  }

  @Test
  void withoutAHubTheBuilderSizesBoth() {
    try (SseHubServer server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .maxEventBytes(HUB_MAX_EVENT_BYTES)
            .build()
            .start()) {
      assertThat(server.hub().maxEventBytes()).isEqualTo(HUB_MAX_EVENT_BYTES);
      long limit = HUB_MAX_EVENT_BYTES + SseHubServer.BODY_ALLOWANCE_BYTES;
      RawHttp.Response response =
          RawHttp.exchange(
              server.port(),
              "POST /publish HTTP/1.1\r\nHost: x\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + (limit + 1)
                  + "\r\nConnection: close\r\n\r\n");
      assertThat(response.status()).isEqualTo(413);
      assertThat(response.json().get("message").asText())
          .contains("expected: at most " + limit + " bytes");
    }
  }
}

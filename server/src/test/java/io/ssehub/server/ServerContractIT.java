package io.ssehub.server;

import io.ssehub.core.AccessDecision;
import io.ssehub.core.SseHub;
import io.ssehub.testkit.contract.HubContract;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared end-to-end contract, against the standalone hub on Netty. */
class ServerContractIT extends HubContract {
  private static SseHubServer server;

  @BeforeAll
  static void start() {
    SseHub hub =
        SseHub.builder()
            .authorizer(
                request ->
                    request.channels().contains(FORBIDDEN)
                        ? AccessDecision.forbidden(
                            "the channel " + FORBIDDEN + " is refused to everyone")
                        : AccessDecision.allow())
            .build();
    server = SseHubServer.builder().host("127.0.0.1").port(0).hub(hub).build().start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Override
  protected URI base() {
    return URI.create("http://127.0.0.1:" + server.port());
  }
}

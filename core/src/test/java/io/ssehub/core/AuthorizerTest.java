package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
  private final List<AccessRequest> asked = new ArrayList<>();
  private final Principal alice = () -> "alice";
  private final SseHub hub =
      SseHub.builder()
          .authorizer(
              request -> {
                asked.add(request);
                if (request.principal() == null) {
                  return AccessDecision.unauthenticated("a token is required");
                }
                return request.channels().contains("admin")
                    ? AccessDecision.forbidden("not allowed on admin")
                    : AccessDecision.allow();
              })
          .build();

  @AfterEach
  void close() {
    hub.close();
  }

  @Test
  void refusedStreamGetsNoByte() {
    RecordingSink sink = new RecordingSink();
    assertThatThrownBy(
            () ->
                hub.subscribe(
                    SubscribeRequest.of(List.of("news", "admin"), null).from(alice, "10.0.0.1"),
                    sink))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessage("not allowed on admin")
        .satisfies(e -> assertThat(((AccessDeniedException) e).unauthenticated()).isFalse());
    assertThat(sink.writes()).isEmpty();
    assertThat(hub.streamCount()).isZero();
    assertThat(asked)
        .containsExactly(
            new AccessRequest(
                AccessRequest.Action.SUBSCRIBE, List.of("news", "admin"), alice, "10.0.0.1"));
  }

  @Test
  void anonymousIsUnauthenticated() {
    assertThatThrownBy(() -> hub.subscribe(SubscribeRequest.of("news"), new RecordingSink()))
        .isInstanceOf(AccessDeniedException.class)
        .satisfies(e -> assertThat(((AccessDeniedException) e).unauthenticated()).isTrue());
  }

  @Test
  void allowedStreamStarts() {
    RecordingSink sink = new RecordingSink();
    hub.subscribe(SubscribeRequest.of("news").from(alice, null), sink);
    assertThat(sink.text()).startsWith("retry: ");
  }

  @Test
  void publishAsAsksTheAuthorizerButTheApplicationsOwnPublishDoesNot() {
    assertThatThrownBy(() -> hub.publishAs(alice, "127.0.0.1", "admin", SseEvent.of("x")))
        .isInstanceOf(AccessDeniedException.class);
    assertThat(hub.publishAs(alice, "127.0.0.1", "news", SseEvent.of("x")).join().id()).isNotNull();
    assertThat(hub.publish("admin", SseEvent.of("from the app")).join().id()).isNotNull();
    assertThat(asked)
        .extracting(AccessRequest::action)
        .containsOnly(AccessRequest.Action.PUBLISH)
        .hasSize(2);
  }

  @Test
  void failingAuthorizerRefusesRatherThanAllows() {
    try (SseHub broken =
        SseHub.builder()
            .authorizer(
                request -> {
                  throw new IllegalStateException("bug");
                })
            .build()) {
      assertThatThrownBy(() -> broken.subscribe(SubscribeRequest.of("news"), new RecordingSink()))
          .isInstanceOf(AccessDeniedException.class)
          .hasMessage("authorization failed");
    }
  }
}

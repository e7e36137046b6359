package io.ssehub.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssehub.core.AccessDecision;
import io.ssehub.core.AccessDeniedException;
import io.ssehub.core.BrokerUnavailableException;
import io.ssehub.core.EventTooLargeException;
import io.ssehub.core.InvalidInputException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class HttpProblemTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void jsonBodyHasErrorFieldAndMessageInThatOrder() {
    HttpProblem problem =
        HttpProblem.badRequest("missing_field", "data", "data: missing (expected: \"x\")");
    assertThat(new String(problem.jsonBody(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"error\":\"missing_field\",\"field\":\"data\",\"message\":\"data: missing (expected: \\\"x\\\")\"}");
    assertThat(problem.status()).isEqualTo(400);
    assertThat(problem.message()).isEqualTo(problem.getMessage());
    assertThat(problem.headers()).isEmpty();
    assertThat(problem.getStackTrace()).as("no stack trace for expected refusals").isEmpty();
  }

  @Test
  void jsonBodyLeavesOutANullField() throws IOException {
    JsonNode body = json(HttpProblem.internalError());
    assertThat(body.has("field")).isFalse();
    assertThat(body.get("error").asText()).isEqualTo("internal_error");
  }

  @Test
  void invalidInputIs400InvalidFieldWithTheCoreMessage() throws IOException {
    HttpProblem problem =
        HttpProblem.of(new InvalidInputException("channel", "\"a b\" has a bad character"));
    assertThat(problem.status()).isEqualTo(400);
    assertThat(problem.code()).isEqualTo("invalid_field");
    assertThat(problem.field()).isEqualTo("channel");
    assertThat(json(problem).get("message").asText())
        .isEqualTo("channel: \"a b\" has a bad character");
  }

  @Test
  void eventTooLargeIs413NotA400() {
    HttpProblem problem = HttpProblem.of(new EventTooLargeException(2000, 1024));
    assertThat(problem.status()).isEqualTo(413);
    assertThat(problem.code()).isEqualTo("payload_too_large");
    assertThat(problem.field()).isEqualTo("data");
    assertThat(problem.message()).contains("expected: at most 1024");
  }

  @Test
  void unauthenticatedRefusalIs401Unauthorized() throws IOException {
    HttpProblem problem =
        HttpProblem.of(new AccessDeniedException(AccessDecision.unauthenticated("token expired")));
    assertThat(problem.status()).isEqualTo(401);
    assertThat(problem.code()).isEqualTo("unauthorized");
    assertThat(problem.field()).isNull();
    assertThat(json(problem).get("message").asText()).contains("token expired");
    assertThat(
            HttpProblem.isInternal(new AccessDeniedException(AccessDecision.unauthenticated(null))))
        .isFalse();
  }

  @Test
  void forbiddenRefusalIs403Forbidden() {
    HttpProblem problem =
        HttpProblem.of(
            new AccessDeniedException(AccessDecision.forbidden("no grant for \"secret\"")));
    assertThat(problem.status()).isEqualTo(403);
    assertThat(problem.code()).isEqualTo("forbidden");
    assertThat(problem.message()).contains("no grant for \"secret\"");
  }

  @Test
  void refusalWithoutAReasonStillSaysWhat() {
    assertThat(
            HttpProblem.of(new AccessDeniedException(AccessDecision.unauthenticated(null)))
                .message())
        .isEqualTo("credentials: missing or not valid (expected: credentials that grant access)");
    assertThat(HttpProblem.of(new AccessDeniedException(AccessDecision.forbidden(null))).message())
        .isEqualTo("access: not granted (expected: a channel these credentials grant)");
  }

  @Test
  void brokerUnavailableIs503() {
    HttpProblem problem = HttpProblem.of(new BrokerUnavailableException("redis down"));
    assertThat(problem.status()).isEqualTo(503);
    assertThat(problem.code()).isEqualTo("unavailable");
    assertThat(problem.message()).isEqualTo("broker: redis down (expected: retry later)");
  }

  @Test
  void failedFuturesAreUnwrapped() {
    CompletableFuture<Object> failed =
        CompletableFuture.failedFuture(new BrokerUnavailableException("redis down"));
    CompletionException thrown =
        org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, failed::join);
    assertThat(HttpProblem.of(thrown).status()).isEqualTo(503);
    assertThat(
            HttpProblem.of(
                    new ExecutionException(
                        new AccessDeniedException(AccessDecision.forbidden("x"))))
                .status())
        .isEqualTo(403);
    assertThat(
            HttpProblem.of(
                    new CompletionException(
                        new CompletionException(new InvalidInputException("id", "bad"))))
                .code())
        .isEqualTo("invalid_field");
  }

  @Test
  void anythingElseIs500AndRevealsNothing() {
    HttpProblem problem = HttpProblem.of(new IllegalStateException("secret internals"));
    assertThat(problem.status()).isEqualTo(500);
    assertThat(problem.message()).doesNotContain("secret");
    assertThat(HttpProblem.isInternal(new IllegalStateException())).isTrue();
    assertThat(HttpProblem.isInternal(new CompletionException(new NullPointerException())))
        .isTrue();
    assertThat(HttpProblem.isInternal(new CompletionException(new BrokerUnavailableException("x"))))
        .isFalse();
  }

  @Test
  void aProblemMapsToItself() {
    HttpProblem problem = HttpProblem.badRequest("invalid_json", null, "body: empty");
    assertThat(HttpProblem.of(problem)).isSameAs(problem);
    assertThat(HttpProblem.isInternal(problem)).isFalse();
  }

  @Test
  void methodNotAllowedCarriesAllow() {
    HttpProblem problem = HttpProblem.methodNotAllowed("PUT", "/publish", "POST");
    assertThat(problem.status()).isEqualTo(405);
    assertThat(problem.headers()).isEqualTo(Map.of("Allow", "POST"));
    assertThat(problem.message())
        .isEqualTo("method: PUT is not allowed on /publish (expected: POST)");
  }

  @Test
  void withHeaderAddsOrReplacesAndLeavesTheOriginalAlone() {
    HttpProblem base = HttpProblem.of(new BrokerUnavailableException("down"));
    HttpProblem retry = base.withHeader("Retry-After", "5").withHeader("Retry-After", "7");
    assertThat(retry.headers()).containsExactly(Map.entry("Retry-After", "7"));
    assertThat(base.headers()).isEmpty();
    assertThat(retry.status()).isEqualTo(503);
    assertThat(retry.message()).isEqualTo(base.message());
    assertThatThrownBy(() -> retry.headers().put("X", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void notFoundQuotesThePathWithControlCharactersEscaped() {
    HttpProblem problem = HttpProblem.notFound("/a\r\nSet-Cookie: x", "/stream");
    assertThat(problem.status()).isEqualTo(404);
    assertThat(problem.message())
        .isEqualTo("path: \"/a\\r\\nSet-Cookie: x\" is not served here (expected: /stream)");
  }

  @Test
  void bodyTooLargeByLengthOrByCounting() {
    assertThat(HttpProblem.bodyTooLarge(100000, 2048).message())
        .isEqualTo("body: 100000 bytes (expected: at most 2048 bytes)");
    assertThat(HttpProblem.bodyTooLarge(-1, 2048).message())
        .isEqualTo("body: more than 2048 bytes (expected: at most 2048 bytes)");
    assertThat(HttpProblem.bodyTooLarge(-1, 2048).code()).isEqualTo("payload_too_large");
  }

  @Test
  void statusMustBeAnError() {
    assertThatThrownBy(() -> new HttpProblem(200, "ok", null, "fine"))
        .hasMessage("status: 200 (expected: 400 to 599)");
  }

  private static JsonNode json(HttpProblem problem) throws IOException {
    return JSON.readTree(problem.jsonBody());
  }
}

package io.ssehub.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Publishes over the hub's HTTP API, as a backend in any language would. */
final class Publisher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The answer to one publish. */
  record Result(int status, JsonNode body) {
    String id() {
      return body.path("id").asText(null);
    }
  }

  /** Publishes {@code data} (a string) to {@code channel} through the hub at {@code base}. */
  Result publish(URI base, String channel, String data) {
    ObjectNode body = JSON.createObjectNode().put("channel", channel).put("data", data);
    return post(base, body.toString());
  }

  /** Publishes a raw JSON body. */
  Result post(URI base, String jsonBody) {
    return post(base, jsonBody, null);
  }

  /** Publishes a raw JSON body with a bearer token (none if null). */
  Result post(URI base, String jsonBody, String bearerToken) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve("/publish"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(jsonBody));
    if (bearerToken != null) {
      builder.header("Authorization", "Bearer " + bearerToken);
    }
    HttpRequest request = builder.build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Result(response.statusCode(), JSON.readTree(response.body()));
    } catch (IOException e) {
      throw new IllegalStateException("publish to " + base + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Publishes and fails unless the hub answered 200 with an id. */
  String publishOk(URI base, String channel, String data) {
    Result result = publish(base, channel, data);
    if (result.status() != 200 || result.id() == null) {
      throw new AssertionError(
          "publish to " + channel + " answered " + result.status() + " " + result.body());
    }
    return result.id();
  }
}

package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Python apps using flask-sse and ssehub share channels on one Redis, in both directions. */
@ExtendWith(RedisExtension.class)
class FlaskSseCompatIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void messageFlaskSsePublishesReachesAStream(RedisServer redis) {
    try (HubProcess hub = HubProcess.start("--redis", redis.uri().toString());
        SseClient stream =
            SseClient.open(SseClient.newHttpClient(), hub.uri("/stream?channel=logs"))) {
      assertThat(stream.awaitOpen(Duration.ofSeconds(10))).isEqualTo(200);
      Streams.awaitStarted(stream);

      // What flask-sse's sse.publish({"message": "hi"}, type="myevent", channel="logs") sends.
      assertThat(
              redis.command(
                  "PUBLISH", "logs", "{\"data\": {\"message\": \"hi\"}, \"type\": \"myevent\"}"))
          .isEqualTo(1L);
      // The original flask-sse's [type, data] array.
      redis.command("PUBLISH", "logs", "[\"legacy\", \"plain text\"]");

      List<SseParser.Event> events = stream.awaitEvents(2, Duration.ofSeconds(10));
      assertThat(events.get(0).type()).isEqualTo("myevent");
      assertThat(events.get(0).data()).isEqualTo("{\"message\":\"hi\"}");
      assertThat(events.get(1).type()).isEqualTo("legacy");
      assertThat(events.get(1).data()).isEqualTo("plain text");
    }
  }

  @Test
  void eventPublishedThroughSsehubIsInFlaskSsesFormat(RedisServer redis) throws IOException {
    try (HubProcess hub = HubProcess.start("--redis", redis.uri().toString());
        Socket subscriber = new Socket("127.0.0.1", redis.port())) {
      subscriber.setSoTimeout(10_000);
      OutputStream out = subscriber.getOutputStream();
      out.write("*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nlogs\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(subscriber.getInputStream(), StandardCharsets.UTF_8));
      readReply(in); // the subscribe confirmation

      String id =
          new Publisher()
              .post(
                  hub.uri("/"),
                  "{\"channel\":\"logs\",\"type\":\"myevent\",\"data\":{\"message\":\"Hello!\"},\"retry\":5000}")
              .id();

      List<String> message = readReply(in); // ["message", "logs", payload]
      assertThat(message.subList(0, 2)).containsExactly("message", "logs");
      JsonNode payload = JSON.readTree(message.get(2));
      assertThat(payload.properties())
          .extracting(e -> e.getKey())
          .as("only the keys flask-sse's Message(**fields) accepts")
          .isSubsetOf("data", "type", "id", "retry");
      assertThat(payload.get("type").asText()).isEqualTo("myevent");
      assertThat(payload.get("id").asText()).isEqualTo(id);
      assertThat(payload.get("retry").asLong()).isEqualTo(5000L);
      String data =
          payload.get("data").isTextual()
              ? payload.get("data").asText()
              : payload.get("data").toString();
      assertThat(JSON.readTree(data)).isEqualTo(JSON.readTree("{\"message\":\"Hello!\"}"));
    }
  }

  /** Reads one RESP array of bulk strings. */
  private static List<String> readReply(BufferedReader in) throws IOException {
    String header = in.readLine();
    assertThat(header).startsWith("*");
    int count = Integer.parseInt(header.substring(1));
    List<String> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String line = in.readLine();
      if (line.startsWith("$")) {
        items.add(in.readLine());
      } else {
        items.add(line.substring(1));
      }
    }
    return items;
  }
}

package io.ssehub.example;

import io.ssehub.spring.SsePublisher;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * flask-sse's example on Spring Boot: {@code /} shows the {@code testevent} messages of the channel
 * in {@code ?channel=} (default {@code test}) as they arrive; {@code /new} has a form whose {@code
 * POST /send} publishes {@code {"message": ...}} there. The stream is the starter's, at {@code
 * /stream}; set {@code ssehub.redis.url} to run several instances on one Redis.
 */
@SpringBootApplication
@RestController
public class ExampleApplication {
  static final String DEFAULT_CHANNEL = "test";

  private final SsePublisher publisher;

  public ExampleApplication(SsePublisher publisher) {
    this.publisher = publisher;
  }

  public static void main(String[] args) {
    SpringApplication.run(ExampleApplication.class, args);
  }

  @GetMapping(path = "/", produces = MediaType.TEXT_HTML_VALUE)
  public String index() {
    return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>ssehub example</title></head>
        <body data-state="connecting">
        <h1>Messages on <code id="channel"></code></h1>
        <p><a id="new" href="/new">Send one</a></p>
        <ul id="messages"></ul>
        <script>
          const channel = new URLSearchParams(location.search).get('channel') || 'test';
          document.getElementById('channel').textContent = channel;
          document.getElementById('new').href = '/new?channel=' + encodeURIComponent(channel);
          const source = new EventSource('/stream?channel=' + encodeURIComponent(channel));
          source.onopen = () => { document.body.dataset.state = 'open'; };
          source.onerror = () => { document.body.dataset.state = 'reconnecting'; };
          source.addEventListener('testevent', event => {
            const item = document.createElement('li');
            item.textContent = JSON.parse(event.data).message;
            document.getElementById('messages').appendChild(item);
          });
        </script>
        </body></html>
        """;
  }

  @GetMapping(path = "/new", produces = MediaType.TEXT_HTML_VALUE)
  public String form(
      @RequestParam(name = "channel", defaultValue = DEFAULT_CHANNEL) String channel) {
    return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Send a message</title></head>
        <body>
        <form method="post" action="/send">
          <label>Channel <input id="channel" name="channel" value="%s"></label>
          <label>Message <input id="message" name="message" autofocus></label>
          <button id="send" type="submit">Send</button>
        </form>
        </body></html>
        """
        .formatted(HtmlUtils.htmlEscape(channel));
  }

  /**
   * Publishes {@code {"message": message}} as a {@code testevent} on the channel, then goes back to
   * the form.
   */
  @PostMapping("/send")
  public ResponseEntity<Void> send(
      @RequestParam(name = "channel", defaultValue = DEFAULT_CHANNEL) String channel,
      @RequestParam("message") String message)
      throws Exception {
    publisher.publish(channel, "testevent", Map.of("message", message)).get(10, TimeUnit.SECONDS);
    return ResponseEntity.status(HttpStatus.SEE_OTHER)
        .location(URI.create("/new?channel=" + URLEncoder.encode(channel, StandardCharsets.UTF_8)))
        .build();
  }
}

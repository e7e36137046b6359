package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.http.CorsPolicy;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.testkit.Chromium;
import io.ssehub.testkit.ChromiumExtension;
import io.ssehub.testkit.Tokens;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.JavascriptExecutor;

/**
 * A browser's {@code EventSource} on the Mercure endpoint, authorized by the {@code
 * mercureAuthorization} cookie, unchanged: it receives the private updates its token grants, and
 * the page publishes with the same cookie (its {@code Origin} is allowed).
 */
@ExtendWith(ChromiumExtension.class)
class MercureBrowserIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String BOOK = "https://example.com/books/1";
  private SseHubServer server;

  @BeforeEach
  void start() {
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .jwt(JwtAuthenticator.hmacSecret(Tokens.SECRET).build())
            .cors(CorsPolicy.of(List.of("*")))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void eventSourceWithTheCookieReceivesPrivateUpdatesAndThePagePublishes(Chromium browser)
      throws Exception {
    String base = "http://127.0.0.1:" + server.port();
    browser.open(base + "/");
    String token = MercureIT.token(List.of(BOOK), List.of("*"), null);
    JavascriptExecutor js = (JavascriptExecutor) browser.driver();
    js.executeScript(
        "document.cookie = 'mercureAuthorization=' + arguments[0] + '; path=/.well-known/mercure';"
            + "window.received = []; window.opened = false;"
            + "const es = new EventSource('/.well-known/mercure?topic=' + encodeURIComponent(arguments[1]));"
            + "es.onopen = () => { window.opened = true; };"
            + "es.onmessage = e => window.received.push(e.data + '|' + e.lastEventId);",
        token,
        BOOK);
    browser
        .await(WAIT)
        .until(driver -> Boolean.TRUE.equals(js.executeScript("return window.opened;")));

    HttpResponse<String> published =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/.well-known/mercure"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", "Bearer " + MercureIT.PUBLISHER)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "topic="
                                + URLEncoder.encode(BOOK, StandardCharsets.UTF_8)
                                + "&data=for+your+eyes+only&private=on&id=secret-1"))
                    .timeout(WAIT)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(published.statusCode()).isEqualTo(200);
    browser.await(WAIT).until(driver -> received(js).contains("for your eyes only|secret-1"));

    // The page publishes with its cookie: same origin, so the browser sends an allowed Origin.
    js.executeScript(
        "fetch('/.well-known/mercure', {method: 'POST', credentials: 'include',"
            + " body: new URLSearchParams({topic: arguments[0], data: 'from the page', private: 'on'})})"
            + ".then(r => r.text()).then(t => { window.publishedId = t; });",
        BOOK);
    browser
        .await(WAIT)
        .until(
            driver ->
                received(js).stream().anyMatch(line -> line.startsWith("from the page|urn:uuid:")));
    assertThat(js.executeScript("return window.publishedId;")).asString().startsWith("urn:uuid:");
  }

  @SuppressWarnings("unchecked")
  private static List<String> received(JavascriptExecutor js) {
    return (List<String>) js.executeScript("return window.received;");
  }
}

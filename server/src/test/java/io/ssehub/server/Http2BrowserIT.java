package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBe;

import io.ssehub.testkit.Chromium;
import io.ssehub.testkit.TestCertificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

/**
 * Headless Chromium over HTTPS: HTTP/2 by ALPN, and fifty EventSources in one page on one
 * connection, where HTTP/1.1 would stop at six per origin.
 */
class Http2BrowserIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int SOURCES = 50;
  private static final Duration IDLE = Duration.ofSeconds(2);

  private TestCertificate certificate;
  private SseHubServer server;
  private Chromium browser;

  @BeforeEach
  void start() {
    certificate = TestCertificate.create();
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .tls(certificate.certificateFile(), certificate.keyFile())
            // Chromium may open a spare connection that it never uses: closed once idle this long.
            .requestTimeout(IDLE)
            .build()
            .start();
    // Trusts this certificate's key only; the other tests' browsers keep the default flags.
    browser = Chromium.start(List.of(certificate.chromiumFlag()));
  }

  @AfterEach
  void stop() {
    try {
      browser.close();
    } finally {
      server.close();
      certificate.close();
    }
  }

  @Test
  void fiftyEventSourcesInOnePageShareOneHttp2Connection() {
    browser.open("https://localhost:" + server.port() + "/?channel=page");
    browser.await(WAIT).until(textToBe(By.id("status"), "open")); // the demo page's own EventSource
    JavascriptExecutor page = (JavascriptExecutor) browser.driver();
    assertThat(
            page.executeScript(
                "return performance.getEntriesByType('navigation')[0].nextHopProtocol"))
        .isEqualTo("h2");

    page.executeScript(
        """
        window.received = {};
        window.sources = [];
        for (let i = 0; i < arguments[0]; i++) {
          const source = new EventSource('/stream?channel=many-' + i);
          source.onmessage = event => { window.received[i] = event.data; };
          window.sources.push(source);
        }""",
        SOURCES);
    browser
        .await(WAIT)
        .until(
            driver ->
                ((Number)
                            page.executeScript(
                                "return window.sources.filter(s => s.readyState === EventSource.OPEN).length"))
                        .intValue()
                    == SOURCES);
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> server.hub().streamCount() == SOURCES + 1);

    for (int i = 0; i < SOURCES; i++) {
      server.hub().publish("many-" + i, "event " + i).join();
    }
    browser
        .await(WAIT)
        .until(
            driver ->
                ((Number) page.executeScript("return Object.keys(window.received).length"))
                        .intValue()
                    == SOURCES);
    @SuppressWarnings("unchecked")
    Map<String, Object> received =
        (Map<String, Object>) page.executeScript("return window.received");
    for (int i = 0; i < SOURCES; i++) {
      assertThat(received.get(Integer.toString(i))).as("source %d", i).isEqualTo("event " + i);
    }
    // The page, its own stream and the fifty: once any spare connection has gone idle and closed,
    // one TCP connection holds all 51 streams, still open.
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> server.meterRegistry().get("ssehub.connections.open").gauge().value() == 1.0);
    assertThat(server.hub().streamCount()).isEqualTo(SOURCES + 1);
    assertThat(
            ((Number)
                    page.executeScript(
                        "return window.sources.filter(s => s.readyState === EventSource.OPEN).length"))
                .intValue())
        .isEqualTo(SOURCES);
  }
}

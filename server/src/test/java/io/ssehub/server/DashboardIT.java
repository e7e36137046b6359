package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBe;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ssehub.core.GrantAuthorizer;
import io.ssehub.core.SseHub;
import io.ssehub.metrics.HubMetrics;
import io.ssehub.testkit.Chromium;
import io.ssehub.testkit.ChromiumExtension;
import io.ssehub.testkit.SseClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in headless Chromium while events flow: it shows the channel, its stream count and
 * a moving rate, and its form publishes. The screenshot it leaves in {@code
 * target/screenshots/dashboard.png} is the test's artifact.
 */
@ExtendWith(ChromiumExtension.class)
class DashboardIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int STREAMS = 3;
  static final Path SCREENSHOT = Path.of("target", "screenshots", "dashboard.png");

  private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
  private final HttpClient http = SseClient.newHttpClient();
  private final List<SseClient> streams = new ArrayList<>();
  private SseHubServer server;

  @BeforeEach
  void start() {
    // As bin/ssehub runs it: the hub's meters on the server's registry, the standalone hub's rules
    // (no JWT key).
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SseHub hub =
        SseHub.builder()
            .observer(new HubMetrics(registry))
            .authorizer(GrantAuthorizer.builder().build())
            .build();
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub(hub)
            .meterRegistry(registry)
            .ui(true)
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    publisher.shutdownNow();
    streams.forEach(SseClient::close);
    server.close();
  }

  @Test
  void showsTheChannelItsStreamCountAndAMovingRate(Chromium browser) throws Exception {
    for (int i = 0; i < STREAMS; i++) {
      SseClient stream = SseClient.open(http, URI.create(url("/stream?channel=ticker")));
      stream.awaitOpen(WAIT);
      streams.add(stream);
    }
    ScheduledFuture<?> flow =
        publisher.scheduleAtFixedRate(
            () -> server.hub().publish("ticker", "tick").join(), 0, 20, TimeUnit.MILLISECONDS);

    browser.open(url("/ui"));
    browser.await(WAIT).until(textToBe(By.id("status"), "live"));
    browser
        .await(WAIT)
        .until(
            driver ->
                List.of(List.of("ticker", String.valueOf(STREAMS))).equals(channelRows(browser)));
    assertThat(browser.driver().findElement(By.id("channel-count")).getText()).isEqualTo("1");
    assertThat(browser.driver().findElement(By.id("streams")).getText())
        .isEqualTo(String.valueOf(STREAMS));
    assertThat(browser.driver().findElement(By.id("broker")).getText()).contains("(connected)");
    assertThat(browser.driver().findElement(By.id("ready")).getText()).isEqualTo("yes");

    // The rate is above zero and the chart grows by a point per snapshot while events flow.
    browser.await(WAIT).until(driver -> rate(browser, "rate") > 0 && chartPoints(browser) >= 5);
    int points = chartPoints(browser);
    browser.await(WAIT).until(driver -> chartPoints(browser) > points);
    assertThat(rate(browser, "delivered-rate"))
        .as("each event reaches %d streams", STREAMS)
        .isGreaterThan(rate(browser, "rate"));
    assertThat(rate(browser, "published-rate")).isGreaterThan(0);
    browser.screenshot(SCREENSHOT);
    assertThat(Files.readAllBytes(SCREENSHOT)).startsWith(0x89, 'P', 'N', 'G');

    // It moves: when the events stop, the rate falls to zero.
    flow.cancel(false);
    browser.await(WAIT).until(textToBe(By.id("rate"), "0.0"));

    // The form publishes to any channel through POST /publish.
    WebElement channel = browser.driver().findElement(By.id("channel"));
    channel.clear();
    channel.sendKeys("ticker");
    WebElement data = browser.driver().findElement(By.id("data"));
    data.clear();
    data.sendKeys("from the dashboard");
    browser.driver().findElement(By.id("send")).click();
    browser
        .await(WAIT)
        .until(
            driver ->
                browser
                    .driver()
                    .findElement(By.id("result"))
                    .getText()
                    .startsWith("published, id "));
    for (SseClient stream : streams) {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> stream.events().stream().anyMatch(e -> "from the dashboard".equals(e.data())));
    }
  }

  @Test
  void aRefusedFormPublishShowsTheHubsMessage(Chromium browser) {
    browser.open(url("/ui"));
    browser.await(WAIT).until(textToBe(By.id("status"), "live"));
    WebElement channel = browser.driver().findElement(By.id("channel"));
    channel.clear();
    channel.sendKeys("no spaces allowed");
    browser.driver().findElement(By.id("send")).click();
    browser
        .await(WAIT)
        .until(
            driver -> browser.driver().findElement(By.id("result")).getText().startsWith("400: "));
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  /**
   * The channel table's cells, read in one script: the page replaces its rows with every snapshot.
   */
  @SuppressWarnings("unchecked")
  private static List<List<String>> channelRows(Chromium browser) {
    return (List<List<String>>)
        ((JavascriptExecutor) browser.driver())
            .executeScript(
                "return Array.from(document.querySelectorAll('#channels tr'))"
                    + ".map(row => Array.from(row.cells).map(cell => cell.textContent));");
  }

  private static double rate(Chromium browser, String id) {
    String text = browser.driver().findElement(By.id(id)).getText();
    return text.equals("-") ? -1 : Double.parseDouble(text);
  }

  private static int chartPoints(Chromium browser) {
    String points = browser.driver().findElement(By.id("chart-line")).getAttribute("points");
    return points == null || points.isBlank()
        ? 0
        : (int) Arrays.stream(points.trim().split(" ")).count();
  }
}

package io.ssehub.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBe;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.openqa.selenium.By;

/** A real {@code EventSource} in headless Chromium, against an SSE endpoint in this test. */
@ExtendWith(ChromiumExtension.class)
class ChromiumIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private static final String PAGE =
      "<!doctype html><meta charset=utf-8><title>sse</title>\n"
          + "<pre id=out></pre>\n"
          + "<script>\n"
          + "  const out = document.getElementById('out');\n"
          + "  const source = new EventSource('/events');\n"
          + "  source.addEventListener('greeting', e => {\n"
          + "    out.textContent += e.data + ' #' + e.lastEventId + '\\n';\n"
          + "  });\n"
          + "</script>\n";

  private final LoopbackHttpServer server = new LoopbackHttpServer();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<String> lastEventIds = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    release.countDown();
    server.close();
  }

  @Test
  void eventSourceShowsEventsAndResumesWithLastEventId(Chromium browser) throws IOException {
    AtomicInteger connections = new AtomicInteger();
    server
        .handle("/", this::page)
        .handle(
            "/events",
            exchange -> {
              lastEventIds.add(
                  String.valueOf(exchange.getRequestHeaders().getFirst("Last-Event-ID")));
              exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
              exchange.sendResponseHeaders(200, 0);
              OutputStream out = exchange.getResponseBody();
              if (connections.incrementAndGet() == 1) {
                // Ask for a quick reconnect, then end the stream: the browser must come back with
                // id 7.
                write(out, "retry: 100\nid: 7\nevent: greeting\ndata: hello\n\n");
                exchange.close();
              } else {
                write(out, "id: 8\nevent: greeting\ndata: again\n\n");
                holdOpen(exchange);
              }
            });

    browser.open(server.uri("/"));

    browser.await(TIMEOUT).until(textToBe(By.id("out"), "hello #7\nagain #8"));
    assertThat(lastEventIds).containsExactly("null", "7");

    // Kept under target/ so a person (or CI's artifacts) can look at what the browser showed.
    Path png = browser.screenshot(Path.of("target", "screenshots", "eventsource.png"));
    assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
  }

  @Test
  void missingChromiumFailsNeverSkips() {
    String before = System.getProperty(Chromium.CHROMIUM_PROPERTY);
    System.setProperty(Chromium.CHROMIUM_PROPERTY, "/nonexistent/chromium");
    Events tests;
    try {
      tests =
          EngineTestKit.engine("junit-jupiter")
              .selectors(selectClass(NeedsBrowser.class))
              .execute()
              .testEvents();
    } finally {
      Processes.restoreProperty(Chromium.CHROMIUM_PROPERTY, before);
    }

    tests.assertStatistics(stats -> stats.started(1).failed(1).skipped(0).aborted(0));
    Throwable failure =
        tests.failed().stream()
            .findFirst()
            .orElseThrow()
            .getPayload(TestExecutionResult.class)
            .orElseThrow()
            .getThrowable()
            .orElseThrow();
    assertThat(failure).hasMessageContaining("apt-get install chromium chromium-driver");
  }

  @ExtendWith(ChromiumExtension.class)
  static class NeedsBrowser {
    @Test
    void wantsABrowser(Chromium browser) {
      browser.open("about:blank");
    }
  }

  private void page(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestURI().getPath().equals("/")) {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
      return;
    }
    byte[] body = PAGE.getBytes(UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(UTF_8));
    out.flush();
  }

  private void holdOpen(HttpExchange exchange) {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exchange.close();
  }
}

package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBe;

import io.ssehub.testkit.Chromium;
import io.ssehub.testkit.ChromiumExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The demo page in a real browser: its EventSource shows what is published, from curl or its own
 * form.
 */
@ExtendWith(ChromiumExtension.class)
class DemoPageIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private SseHubServer server;

  @BeforeEach
  void start() {
    server = SseHubServer.builder().host("127.0.0.1").port(0).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void showsMessagesPublishedOverHttpAndFromItsForm(Chromium browser) throws Exception {
    browser.open("http://127.0.0.1:" + server.port() + "/?channel=demo");
    browser.await(WAIT).until(textToBe(By.id("status"), "open"));

    HttpResponse<String> published =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/publish"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"channel\":\"demo\",\"type\":\"myevent\",\"data\":{\"message\":\"Hello from curl!\"}}"))
                    .timeout(WAIT)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(published.statusCode()).isEqualTo(200);
    browser.await(WAIT).until(driver -> messages(browser).contains("Hello from curl!"));

    // Default type too: onmessage.
    server.hub().publish("demo", "plain text").join();
    browser.await(WAIT).until(driver -> messages(browser).contains("plain text"));

    WebElement input = browser.driver().findElement(By.id("message"));
    input.sendKeys("Typed in the page");
    browser.driver().findElement(By.id("send")).click();
    browser.await(WAIT).until(driver -> messages(browser).contains("Typed in the page"));

    assertThat(messages(browser))
        .containsExactly("Hello from curl!", "plain text", "Typed in the page");
    assertThat(browser.driver().findElement(By.id("error")).getText()).isEmpty();
  }

  @Test
  void aPageOnAnotherChannelShowsNothingOfThisOne(Chromium browser) {
    browser.open("http://127.0.0.1:" + server.port() + "/?channel=elsewhere");
    browser.await(WAIT).until(textToBe(By.id("status"), "open"));
    server.hub().publish("demo", "not for you").join();
    server.hub().publish("elsewhere", "for you").join();
    browser.await(WAIT).until(driver -> messages(browser).contains("for you"));
    assertThat(messages(browser)).containsExactly("for you");
  }

  private static List<String> messages(Chromium browser) {
    return browser.driver().findElements(By.cssSelector("#messages li .text")).stream()
        .map(WebElement::getText)
        .collect(Collectors.toList());
  }
}

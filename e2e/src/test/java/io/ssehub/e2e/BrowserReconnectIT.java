package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.Chromium;
import io.ssehub.testkit.ChromiumExtension;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A real browser resumes by itself: the hub its EventSource reads from goes away (ending the
 * stream), events are published through another node meanwhile, and when the hub is back the
 * browser reconnects with {@code Last-Event-ID} and shows exactly the events it missed.
 */
@ExtendWith({RedisExtension.class, ChromiumExtension.class})
class BrowserReconnectIT {

  @Test
  void eventSourceReconnectsWithItsLastIdAndShowsWhatItMissed(
      RedisServer redis, Chromium chromium) {
    String url = redis.uri().toString();
    try (HubProcess a = HubProcess.start("--redis", url, "--reconnect-delay", "300ms");
        HubProcess b = HubProcess.start("--redis", url)) {
      Publisher publisher = new Publisher();
      chromium.open(a.uri("/?channel=browser"));
      chromium
          .await(Duration.ofSeconds(15))
          .until(d -> "open".equals(d.findElement(By.id("status")).getText()));

      publisher.publishOk(b.uri("/"), "browser", "one");
      awaitMessages(chromium, List.of("one"));

      assertThat(a.stop())
          .isZero(); // the hub ends the stream; the browser keeps trying to reconnect
      chromium
          .await(Duration.ofSeconds(15))
          .until(d -> !"open".equals(d.findElement(By.id("status")).getText()));
      publisher.publishOk(b.uri("/"), "browser", "two");
      publisher.publishOk(b.uri("/"), "browser", "three");
      a.restart();

      List<WebElement> items = awaitMessages(chromium, List.of("one", "two", "three"));
      assertThat(items).extracting(item -> item.getAttribute("data-type")).containsOnly("message");
      assertThat(items)
          .extracting(item -> item.getAttribute("data-id"))
          .doesNotContainNull()
          .doesNotContain("")
          .doesNotHaveDuplicates();
      chromium.screenshot(Path.of("target", "screenshots", "browser-reconnect.png"));
    }
  }

  private static List<WebElement> awaitMessages(Chromium chromium, List<String> expected) {
    chromium
        .await(Duration.ofSeconds(30))
        .until(d -> d.findElements(By.cssSelector("#messages li .text")).size() >= expected.size());
    List<WebElement> items = chromium.driver().findElements(By.cssSelector("#messages li"));
    assertThat(items)
        .extracting(item -> item.findElement(By.className("text")).getText())
        .containsExactlyElementsOf(expected);
    return items;
  }
}

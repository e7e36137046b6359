package io.ssehub.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.Chromium;
import io.ssehub.testkit.ChromiumExtension;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of the example on one redis-server: sent through one, shown by a browser on the
 * other.
 */
@ExtendWith({RedisExtension.class, ChromiumExtension.class})
class ExampleRedisIT {

  @Test
  void messageSentThroughOneInstanceAppearsInBrowserOnTheOther(
      RedisServer redis, Chromium chromium) {
    String url = "ssehub.redis.url=" + redis.uri();
    try (ConfigurableApplicationContext one = Apps.start(url);
        ConfigurableApplicationContext two = Apps.start(url)) {
      chromium.open(Apps.base(two).resolve("/?channel=shared"));
      ExampleBrowserIT.awaitOpen(chromium);
      String reader = chromium.driver().getWindowHandle();

      chromium.driver().switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
      chromium.open(Apps.base(one).resolve("/new?channel=shared"));
      ExampleBrowserIT.send(chromium, "across instances");

      chromium.driver().switchTo().window(reader);
      assertThat(ExampleBrowserIT.awaitMessages(chromium, 1)).containsExactly("across instances");
    }
  }
}

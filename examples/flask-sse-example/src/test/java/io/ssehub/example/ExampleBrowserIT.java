package io.ssehub.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.Chromium;
import io.ssehub.testkit.ChromiumExtension;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The example in headless Chromium: what one tab sends through {@code /new} appears on {@code /} in
 * the others of its channel.
 */
@ExtendWith(ChromiumExtension.class)
class ExampleBrowserIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static ConfigurableApplicationContext app;

  @BeforeAll
  static void start() {
    app = Apps.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void messageSentFromNewAppearsOnIndexInAnotherTabOfItsChannelOnly(Chromium chromium) {
    URI base = Apps.base(app);
    WebDriver driver = chromium.driver();
    chromium.open(base.resolve("/?channel=red"));
    String red = driver.getWindowHandle();
    awaitOpen(chromium);

    driver.switchTo().newWindow(WindowType.TAB);
    chromium.open(base.resolve("/")); // the default channel, test
    String defaultChannel = driver.getWindowHandle();
    awaitOpen(chromium);

    driver.switchTo().newWindow(WindowType.WINDOW);
    chromium.open(base.resolve("/new?channel=red"));
    send(chromium, "Hello, red!");
    chromium.open(base.resolve("/new"));
    assertThat(driver.findElement(By.id("channel")).getAttribute("value")).isEqualTo("test");
    send(chromium, "Hello, test!");

    driver.switchTo().window(red);
    assertThat(awaitMessages(chromium, 1)).containsExactly("Hello, red!");
    driver.switchTo().window(defaultChannel);
    assertThat(awaitMessages(chromium, 1)).containsExactly("Hello, test!");
    // Each was published after the other tab's message was delivered: a misrouted one would be
    // there.
    driver.switchTo().window(red);
    assertThat(texts(driver)).containsExactly("Hello, red!");
  }

  static void send(Chromium chromium, String message) {
    WebDriver driver = chromium.driver();
    String channel = driver.findElement(By.id("channel")).getAttribute("value");
    driver.findElement(By.id("message")).clear();
    driver.findElement(By.id("message")).sendKeys(message);
    driver.findElement(By.id("send")).click();
    // The answer redirects back to the form, emptied: the event is published by then. While the
    // page navigates, an element found a moment ago can go stale: look again.
    chromium
        .await(WAIT)
        .ignoring(StaleElementReferenceException.class)
        .until(
            d ->
                d.getCurrentUrl().endsWith("/new?channel=" + channel)
                    && d.findElement(By.id("message")).getAttribute("value").isEmpty());
  }

  static void awaitOpen(Chromium chromium) {
    chromium
        .await(WAIT)
        .until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-state", "open"));
  }

  static List<String> awaitMessages(Chromium chromium, int count) {
    chromium
        .await(WAIT)
        .ignoring(StaleElementReferenceException.class)
        .until(d -> texts(d).size() >= count);
    return texts(chromium.driver());
  }

  static List<String> texts(WebDriver driver) {
    return driver.findElements(By.cssSelector("#messages li")).stream()
        .map(WebElement::getText)
        .toList();
  }
}

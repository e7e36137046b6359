package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ssehub.testkit.Chromium;
import io.ssehub.testkit.ChromiumExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;

/**
 * A browser's {@code EventSource} cannot set headers: with JWT on, it authenticates with the {@code
 * ssehub_token} cookie or a {@code ?token=} in the stream URL (the demo page passes its own on). A
 * token that does not grant the channel gets 403, and the browser gives up.
 */
@ExtendWith(ChromiumExtension.class)
class BrowserAuthIT {
  private static final String SECRET = "a-test-secret-of-at-least-32-bytes!!";
  private static HubProcess hub;

  @BeforeAll
  static void start() {
    hub = HubProcess.start("--jwt-secret", SECRET);
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void eventSourceAuthenticatesWithTheTokenInItsUrl(Chromium chromium) throws Exception {
    String token = token(List.of("news"), List.of());
    chromium.open(
        hub.uri("/?channel=news&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)));
    awaitStatus(chromium, "open");
    publish("news", "by url token");
    awaitMessage(chromium, "by url token");
  }

  @Test
  void eventSourceAuthenticatesWithTheCookie(Chromium chromium) throws Exception {
    chromium.open(hub.uri("/health")); // the cookie belongs to the hub's origin
    chromium
        .driver()
        .manage()
        .addCookie(new Cookie("ssehub_token", token(List.of("news"), List.of())));
    chromium.open(hub.uri("/?channel=news"));
    awaitStatus(chromium, "open");
    publish("news", "by cookie");
    awaitMessage(chromium, "by cookie");
    chromium.driver().manage().deleteAllCookies();
  }

  @Test
  void tokenForAnotherChannelIsRefusedAndTheBrowserStops(Chromium chromium) throws Exception {
    String token = token(List.of("news"), List.of());
    chromium.open(
        hub.uri("/?channel=admin&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)));
    awaitStatus(chromium, "closed"); // a non-200 answer ends an EventSource for good
  }

  private static void publish(String channel, String message) throws JOSEException {
    String body =
        "{\"channel\":\""
            + channel
            + "\",\"data\":{\"message\":\""
            + message
            + "\"},\"type\":\"myevent\"}";
    Publisher.Result result =
        new Publisher().post(hub.uri("/"), body, token(List.of(), List.of(channel)));
    assertThat(result.status()).as("publish: %s", result.body()).isEqualTo(200);
  }

  private static String token(List<String> subscribe, List<String> publish) throws JOSEException {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject("browser-test")
            .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(10))))
            .claim("ssehub", Map.of("subscribe", subscribe, "publish", publish))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  private static void awaitStatus(Chromium chromium, String status) {
    chromium
        .await(Duration.ofSeconds(15))
        .until(d -> status.equals(d.findElement(By.id("status")).getText()));
  }

  private static void awaitMessage(Chromium chromium, String text) {
    chromium
        .await(Duration.ofSeconds(15))
        .until(
            d ->
                d.findElements(By.cssSelector("#messages li .text")).stream()
                    .anyMatch(item -> item.getText().equals(text)));
  }
}

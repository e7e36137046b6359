package io.ssehub.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The starter in a Boot app with Spring Security and no Authorizer bean: HTTP Basic, every request
 * permitted by the filter chain, channels granted by the user's {@code ssehub:} authorities.
 */
class SpringSecurityIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = SseClient.newHttpClient();
  private static final Map<String, String> ALICE =
      Map.of(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString("alice:wonderland".getBytes(StandardCharsets.UTF_8)));

  private static ConfigurableApplicationContext app;
  private final List<SseClient> streams = new ArrayList<>();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      // The channel check is ssehub's; the filter chain only authenticates.
      return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
          .httpBasic(Customizer.withDefaults())
          .csrf(csrf -> csrf.disable())
          .build();
    }

    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("alice")
              .password("{noop}wonderland")
              .authorities("ssehub:subscribe:news", "ssehub:publish:news")
              .build());
    }
  }

  @BeforeAll
  static void start() {
    app =
        new SpringApplicationBuilder(App.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "ssehub.publish-path=/publish",
                "ssehub.security.public-channels=lobby",
                "spring.main.banner-mode=off")
            .run();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @AfterEach
  void closeStreams() {
    streams.forEach(SseClient::close);
  }

  private static URI uri(String pathAndQuery) {
    return URI.create(
        "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port") + pathAndQuery);
  }

  private SseClient stream(String channel, Map<String, String> headers) {
    SseClient stream = SseClient.open(HTTP, uri("/stream?channel=" + channel), headers);
    streams.add(stream);
    return stream;
  }

  private static HttpResponse<String> publish(
      String channel, String data, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri("/publish"))
            .timeout(WAIT)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"channel\":\"" + channel + "\",\"data\":\"" + data + "\"}"));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertJsonError(String contentType, String body, String code) {
    assertThat(contentType).as("content type of %s", body).startsWith("application/json");
    assertThat(body).contains("\"error\":\"" + code + "\"");
  }

  @Test
  void aliceStreamsHerChannelAndReceivesWhatShePublishes() throws Exception {
    SseClient news = stream("news", ALICE);
    assertThat(news.awaitOpen(WAIT)).isEqualTo(200);
    assertThat(news.headers().firstValue("content-type").orElse(""))
        .startsWith("text/event-stream");
    HttpResponse<String> published = publish("news", "hello", ALICE);
    assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
    List<SseParser.Event> events = news.awaitEvents(1, WAIT);
    assertThat(events.get(0).data()).isEqualTo("hello");
  }

  @Test
  void aliceOnAnotherChannelIs403JsonBeforeAnyStreamByte() {
    SseClient admin = stream("admin", ALICE);
    assertThat(admin.awaitOpen(WAIT)).isEqualTo(403);
    admin.awaitClosed(WAIT);
    assertJsonError(
        admin.headers().firstValue("content-type").orElse(""), admin.errorBody(), "forbidden");
    assertThat(admin.errorBody()).doesNotContain("retry:");
  }

  @Test
  void anonymousIs401() {
    SseClient news = stream("news", Map.of());
    assertThat(news.awaitOpen(WAIT)).isEqualTo(401);
    news.awaitClosed(WAIT);
    assertJsonError(
        news.headers().firstValue("content-type").orElse(""), news.errorBody(), "unauthorized");
    assertThat(news.errorBody()).doesNotContain("retry:");
  }

  @Test
  void anonymousStreamsAPublicChannel() {
    SseClient lobby = stream("lobby", Map.of());
    assertThat(lobby.awaitOpen(WAIT)).isEqualTo(200);
    assertThat(lobby.headers().firstValue("content-type").orElse(""))
        .startsWith("text/event-stream");
  }

  @Test
  void alicePublishingToAnotherChannelIs403() throws Exception {
    HttpResponse<String> response = publish("admin", "x", ALICE);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
    assertJsonError(
        response.headers().firstValue("content-type").orElse(""), response.body(), "forbidden");
  }

  @Test
  void anonymousPublishingIs401() throws Exception {
    HttpResponse<String> response = publish("news", "x", Map.of());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    assertJsonError(
        response.headers().firstValue("content-type").orElse(""), response.body(), "unauthorized");
  }

  @Test
  void wrongPasswordIsRefusedBySpringSecurity() {
    SseClient news =
        stream(
            "news",
            Map.of(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString("alice:guess".getBytes(StandardCharsets.UTF_8))));
    assertThat(news.awaitOpen(WAIT)).isEqualTo(401);
    news.awaitClosed(WAIT);
    assertThat(news.errorBody()).doesNotContain("retry:");
  }
}

package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jwt.JWTClaimsSet;
import io.ssehub.http.CorsPolicy;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import io.ssehub.testkit.Tokens;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Mercure front door over loopback HTTP: a Symfony-style publisher (form-encoded, Bearer
 * HS256), subscribers with selectors, templates and private updates, token carriers and their
 * precedence, reconnection, token expiry, and each bad input answered with Mercure's status and a
 * text body that says what is wrong.
 */
class MercureIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String BOOK = "https://example.com/books/1";
  private static final String USER = "https://example.com/users/9";

  private final HttpClient http = SseClient.newHttpClient();
  private final List<SseClient> clients = new ArrayList<>();
  private SseHubServer server;

  @BeforeEach
  void start() {
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .jwt(JwtAuthenticator.hmacSecret(Tokens.SECRET).build())
            .mercureAnonymousSubscribers(true)
            .cors(CorsPolicy.of(List.of("https://app.example")))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    clients.forEach(SseClient::close);
    server.close();
  }

  static String token(List<String> subscribe, List<String> publish, Instant exp) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .expirationTime(exp == null ? null : Date.from(exp))
            .claim("mercure", Map.of("subscribe", subscribe, "publish", publish))
            .build();
    return Tokens.hs256(Tokens.SECRET, claims);
  }

  static final String PUBLISHER = token(List.of(), List.of("*"), null);

  private URI uri(String query) {
    return URI.create(
        "http://127.0.0.1:"
            + server.port()
            + "/.well-known/mercure"
            + (query.isEmpty() ? "" : "?" + query));
  }

  private static String topics(String... selectors) {
    return java.util.Arrays.stream(selectors)
        .map(s -> "topic=" + enc(s))
        .collect(Collectors.joining("&"));
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private SseClient subscribe(String query, String... headers) {
    Map<String, String> extra = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      extra.put(headers[i], headers[i + 1]);
    }
    SseClient client = SseClient.open(http, uri(query), extra);
    clients.add(client);
    assertThat(client.awaitOpen(WAIT)).as("status of %s: %s", query, "").isEqualTo(200);
    return client;
  }

  /** A publish as Symfony's Mercure component sends it: form-encoded, Bearer token. */
  private HttpResponse<String> publish(List<String> form, String... headers) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < form.size(); i += 2) {
      body.append(body.length() == 0 ? "" : "&")
          .append(enc(form.get(i)))
          .append('=')
          .append(enc(form.get(i + 1)));
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(""))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private HttpResponse<String> publishAsSymfony(List<String> form) {
    return publish(form, "Authorization", "Bearer " + PUBLISHER);
  }

  private HttpResponse<String> get(String query, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(query)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> data(SseClient client) {
    return client.events().stream().map(SseParser.Event::data).toList();
  }

  @Test
  void symfonyStylePublishAnswersTheIdAsTextAndReachesSelectorsAndTemplates() {
    SseClient exact = subscribe(topics(BOOK));
    SseClient template = subscribe(topics("https://example.com/books/{id}"));
    SseClient everything = subscribe(topics("*"));
    SseClient other = subscribe(topics("https://example.com/authors/{id}", "foo"));

    HttpResponse<String> response =
        publishAsSymfony(List.of("topic", BOOK, "data", "{\"title\":\"Dune\"}", "type", "book"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(response.body()).startsWith("urn:uuid:");

    for (SseClient client : List.of(exact, template, everything)) {
      SseParser.Event event = client.awaitEvents(1, WAIT).get(0);
      assertThat(event.data()).isEqualTo("{\"title\":\"Dune\"}");
      assertThat(event.type()).isEqualTo("book");
      assertThat(event.id()).isEqualTo(response.body());
    }
    assertThat(exact.headers().firstValue("cache-control"))
        .hasValue("private, no-cache, no-store, must-revalidate, max-age=0");
    assertThat(exact.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    publishAsSymfony(List.of("topic", "foo", "data", "marker"));
    assertThat(other.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("marker");
  }

  @Test
  void privateUpdatesGoOnlyToSubscribersWhoseClaimMatchesATopicAlternatesIncluded() {
    SseClient anonymous = subscribe(topics(BOOK));
    SseClient grantedBook =
        subscribe(
            topics(BOOK),
            "Authorization",
            "Bearer " + token(List.of("https://example.com/books/{id}"), List.of(), null));
    // Subscribed to the book, granted the user: the update's alternate topic is what lets it
    // through.
    SseClient grantedUser =
        subscribe(topics(BOOK), "Authorization", "Bearer " + token(List.of(USER), List.of(), null));
    SseClient grantedElsewhere =
        subscribe(
            topics(BOOK),
            "Authorization",
            "Bearer " + token(List.of("https://example.com/orders/{id}"), List.of(), null));

    assertThat(
            publishAsSymfony(
                    List.of("topic", USER, "topic", BOOK, "data", "secret", "private", "on"))
                .statusCode())
        .isEqualTo(200);
    assertThat(publishAsSymfony(List.of("topic", BOOK, "data", "public")).statusCode())
        .isEqualTo(200);

    assertThat(grantedBook.awaitEvents(2, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("secret", "public");
    assertThat(grantedUser.awaitEvents(2, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("secret", "public");
    assertThat(anonymous.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("public");
    assertThat(grantedElsewhere.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("public");
  }

  @Test
  void earliestReplaysHistoryAndLastEventIdHeaderWinsOverTheQueryParameter() {
    List<String> ids = new ArrayList<>();
    for (String data : List.of("one", "two", "three")) {
      ids.add(publishAsSymfony(List.of("topic", BOOK, "data", data, "id", "id-" + data)).body());
    }
    publishAsSymfony(List.of("topic", USER, "data", "not for this subscriber"));
    assertThat(ids).containsExactly("id-one", "id-two", "id-three");

    SseClient earliest = subscribe(topics(BOOK) + "&lastEventID=earliest");
    assertThat(earliest.awaitEvents(3, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("one", "two", "three");
    assertThat(earliest.headers().firstValue("last-event-id")).hasValue("id-three");

    SseClient byParam = subscribe(topics(BOOK) + "&lastEventID=id-one");
    assertThat(byParam.awaitEvents(2, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("two", "three");

    SseClient byHeader = subscribe(topics(BOOK) + "&lastEventID=id-one", "Last-Event-ID", "id-two");
    assertThat(byHeader.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("three");
    assertThat(byHeader.headers().firstValue("last-event-id")).hasValue("id-three");

    SseClient upToDate = subscribe(topics(BOOK), "Last-Event-ID", "id-three");
    assertThat(upToDate.headers().firstValue("last-event-id"))
        .as("the requested id, history holding it")
        .hasValue("id-three");
    SseClient unknown =
        subscribe(topics("https://example.com/nothing"), "Last-Event-ID", "never-published");
    assertThat(unknown.headers().firstValue("last-event-id")).hasValue("earliest");
    SseClient fresh = subscribe(topics(BOOK));
    assertThat(fresh.headers().firstValue("last-event-id"))
        .as("no header without a last event id")
        .isEmpty();

    publishAsSymfony(List.of("topic", BOOK, "data", "four"));
    assertThat(byHeader.awaitEvents(2, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("three", "four");
    assertThat(upToDate.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("four");
    assertThat(data(unknown)).isEmpty();
  }

  @Test
  void tokenCarriersTakeBearerThenQueryThenCookie() {
    String granted = token(List.of(BOOK), List.of(), null);
    String bad =
        "eyJhbGciOiJIUzI1NiJ9.eyJtZXJjdXJlIjp7fX0.bad-signature-bad-signature-bad-signature";
    String cookie = "mercureAuthorization=";

    SseClient byBearer =
        subscribe(topics(BOOK), "Authorization", "Bearer " + granted, "Cookie", cookie + bad);
    SseClient byQuery =
        subscribe(topics(BOOK) + "&authorization=" + granted, "Cookie", cookie + bad);
    SseClient byCookie = subscribe(topics(BOOK), "Cookie", "other=1; " + cookie + granted);
    publishAsSymfony(List.of("topic", BOOK, "data", "private", "private", "on"));
    for (SseClient client : List.of(byBearer, byQuery, byCookie)) {
      assertThat(client.awaitEvents(1, WAIT))
          .extracting(SseParser.Event::data)
          .containsExactly("private");
    }

    HttpResponse<String> badBearerWins =
        get(topics(BOOK) + "&authorization=" + granted, "Authorization", "Bearer " + bad);
    assertThat(badBearerWins.statusCode()).isEqualTo(401);
    assertThat(badBearerWins.body()).contains("signature");
    HttpResponse<String> badQueryWins =
        get(topics(BOOK) + "&authorization=" + bad, "Cookie", cookie + granted);
    assertThat(badQueryWins.statusCode()).isEqualTo(401);
    HttpResponse<String> notBearer = get(topics(BOOK), "Authorization", "Basic dXNlcjpwYXNz");
    assertThat(notBearer.statusCode()).isEqualTo(401);
    assertThat(notBearer.body()).contains("Authorization");
  }

  @Test
  void expiredSubscriberTokenClosesTheStreamAtExp() {
    // Warm up the client and the server's first publish, so that the timing below is the token's.
    SseClient warm = subscribe(topics(BOOK));
    publishAsSymfony(List.of("topic", BOOK, "data", "warm-up"));
    warm.awaitEvents(1, WAIT);
    Instant exp = Instant.now().plusSeconds(4);
    SseClient client =
        subscribe(topics(BOOK), "Authorization", "Bearer " + token(List.of(BOOK), List.of(), exp));
    HttpResponse<String> published =
        publishAsSymfony(List.of("topic", BOOK, "data", "before exp", "private", "on"));
    assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
    assertThat(client.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("before exp");
    client.awaitClosed(WAIT);
    // exp has whole seconds: the token's exp is at most a second before the one asked for.
    assertThat(Instant.now()).isAfterOrEqualTo(exp.minusSeconds(1));
    await()
        .pollInterval(Duration.ofMillis(20))
        .atMost(WAIT)
        .until(() -> server.hub().streamCount() == 1);
    assertThat(warm.isClosed()).as("a stream without exp goes on").isFalse();
  }

  @Test
  void publishWithTheCookieNeedsAnAllowedOrigin() {
    String cookie = "mercureAuthorization=" + PUBLISHER;
    List<String> form = List.of("topic", BOOK, "data", "x");
    HttpResponse<String> noOrigin = publish(form, "Cookie", cookie);
    assertThat(noOrigin.statusCode()).isEqualTo(401);
    assertThat(noOrigin.body()).contains("Origin");
    HttpResponse<String> evil = publish(form, "Cookie", cookie, "Origin", "https://evil.example");
    assertThat(evil.statusCode()).isEqualTo(401);
    assertThat(evil.body()).contains("https://evil.example").contains("not allowed");
    assertThat(publish(form, "Cookie", cookie, "Origin", "https://app.example").statusCode())
        .isEqualTo(200);
    assertThat(
            publish(form, "Cookie", cookie, "Referer", "https://app.example/page?x=1").statusCode())
        .isEqualTo(200);
  }

  @Test
  void headAnswersTheStreamHeadersWithoutABody() {
    RawHttp.Response response =
        RawHttp.exchange(
            server.port(),
            "HEAD /.well-known/mercure?topic=x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("content-type")).startsWith("text/event-stream");
    assertThat(response.body()).isEmpty();
    assertThat(server.hub().streamCount()).isZero();
  }

  @Test
  void badPublishesAreAnsweredWithMercuresStatusAndAMessage() {
    assertBad(publishAsSymfony(List.of("data", "no topic")), 400, "Missing \"topic\"");
    assertBad(
        publishAsSymfony(List.of("topic", BOOK, "id", "#fragment")), 400, "must not start with #");
    assertBad(
        publishAsSymfony(List.of("topic", BOOK, "id", "a\r\nevent: injected")), 400, "\"id\"");
    assertBad(publishAsSymfony(List.of("topic", BOOK, "id", "nul\0")), 400, "\"id\"");
    assertBad(publishAsSymfony(List.of("topic", BOOK, "type", "t\nid: 1")), 400, "\"type\"");
    assertBad(publishAsSymfony(List.of("topic", BOOK, "retry", "soon")), 400, "Invalid \"retry\"");
    assertBad(publishAsSymfony(List.of("topic", BOOK, "retry", "-1")), 400, "Invalid \"retry\"");
    assertBad(
        publishAsSymfony(List.of("topic", "https://x/.well-known/mercure/subscriptions/a/b")),
        403,
        "reserved");
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= 1000; i++) {
      many.add("topic");
      many.add("t" + i);
    }
    assertBad(publishAsSymfony(many), 400, "too many topics");
    assertBad(publish(List.of("topic", BOOK)), 401, "needs a token");
    assertBad(
        publish(
            List.of("topic", BOOK),
            "Authorization",
            "Bearer " + token(List.of("*"), List.of(), null)),
        403,
        "mercure.publish");
    assertBad(
        publish(
            List.of("topic", BOOK),
            "Authorization",
            "Bearer "
                + Tokens.hs256(
                    Tokens.SECRET,
                    new JWTClaimsSet.Builder()
                        .claim("mercure", Map.of("subscribe", List.of("*")))
                        .build())),
        401,
        "no mercure.publish claim");
    assertBad(
        publish(
            List.of("topic", BOOK, "topic", USER),
            "Authorization",
            "Bearer " + token(List.of(), List.of("https://example.com/books/{id}"), null)),
        403,
        "do not match every topic");
    assertBad(publish(List.of("topic", BOOK), "Authorization", "Bearer not.a.jwt"), 401, "token");
    assertThat(server.hub().broker().history().lastId("ssehub.mercure").join())
        .as("nothing was stored")
        .isEqualTo("0");
  }

  @Test
  void badSubscribesAreAnsweredWithAMessage() {
    assertBad(get(""), 400, "Missing \"topic\"");
    assertBad(
        get(
            topics(BOOK),
            "Authorization",
            "Bearer " + token(List.of(), List.of(), Instant.now().minusSeconds(120))),
        401,
        "expired");
    HttpResponse<String> delete = deleteRequest();
    assertThat(delete.statusCode()).isEqualTo(405);
  }

  @Test
  void moreThanAThousandSelectorsAreRefused() {
    server.close();
    server =
        SseHubServer.builder().host("127.0.0.1").port(0).maxUrlBytes(64 * 1024).build().start();
    StringBuilder many = new StringBuilder("topic=0");
    for (int i = 1; i <= 1000; i++) {
      many.append("&topic=").append(i);
    }
    assertBad(get(many.toString()), 400, "too many topic selectors");
  }

  @Test
  void aSubscriberOverTheConnectionLimitIsToldToComeBackNotRefusedForGood() {
    server.close();
    server = SseHubServer.builder().host("127.0.0.1").port(0).maxConnections(1).build().start();
    try (RawHttp.Stream first =
        RawHttp.Stream.open(server.port(), "/.well-known/mercure?topic=x")) {
      assertThat(first.head().status()).isEqualTo(200);
      RawHttp.Response over =
          RawHttp.exchange(
              server.port(),
              "GET /.well-known/mercure?topic=x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(over.status()).as("EventSource stops for good on any other status").isEqualTo(200);
      assertThat(over.text()).startsWith("retry: 30000\n");
    }
  }

  @Test
  void mercureCanBeTurnedOff() {
    server.close();
    server = SseHubServer.builder().host("127.0.0.1").port(0).mercure(false).build().start();
    assertThat(get(topics(BOOK)).statusCode()).isEqualTo(404);
  }

  @Test
  void withoutAKeyAnyoneSubscribesAndLoopbackPublishes() {
    server.close();
    server = SseHubServer.builder().host("127.0.0.1").port(0).build().start();
    SseClient client = subscribe(topics(BOOK));
    assertThat(publish(List.of("topic", BOOK, "data", "from loopback")).statusCode())
        .isEqualTo(200);
    assertThat(client.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("from loopback");
  }

  @Test
  void withAKeyAnonymousSubscribersNeedTheHubsConsent() {
    server.close();
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .jwt(JwtAuthenticator.hmacSecret(Tokens.SECRET).build())
            .build()
            .start();
    assertBad(get(topics(BOOK)), 401, "subscribing needs a token");
    assertThat(
            subscribe(topics(BOOK), "Authorization", "Bearer " + token(List.of(), List.of(), null))
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void reservedChannelIsNotReachableThroughStreamAndPublish() {
    RawHttp.Response stream =
        RawHttp.exchange(
            server.port(),
            "GET /stream?channel=ssehub.mercure HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(stream.status()).isEqualTo(400);
    assertThat(stream.json().get("message").asText()).contains("reserved");
    String body = "channel=ssehub.mercure&data=forged";
    RawHttp.Response publish =
        RawHttp.exchange(
            server.port(),
            "POST /publish HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Authorization: Bearer "
                + Tokens.hs256(
                    Tokens.SECRET,
                    Tokens.grants(Instant.now(), List.of("**"), List.of("**")).build())
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
    assertThat(publish.status()).isEqualTo(400);
    assertThat(publish.json().get("message").asText()).contains("reserved");
  }

  private HttpResponse<String> deleteRequest() {
    try {
      return http.send(
          HttpRequest.newBuilder(uri("topic=x")).DELETE().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void assertBad(HttpResponse<String> response, int status, String message) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(response.body()).contains(message);
  }
}

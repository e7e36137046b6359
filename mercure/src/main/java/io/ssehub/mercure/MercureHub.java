package io.ssehub.mercure;

import io.ssehub.core.GrantAuthorizer;
import io.ssehub.core.InvalidInputException;
import io.ssehub.core.Replay;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.core.SseSink;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.core.Subscription;
import io.ssehub.http.HttpProblem;
import io.ssehub.http.InvalidTokenException;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.mercure.internal.AnnouncementBudget;
import io.ssehub.mercure.internal.MercureClaims;
import io.ssehub.mercure.internal.Subscriptions;
import io.ssehub.mercure.internal.TopicSelector;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Mercure protocol (the pre-1.0 draft that the Go hub v0.24 implements and today's clients
 * speak) as a second front door of an {@link SseHub}: not a second hub. Every update travels on the
 * one reserved channel {@value #CHANNEL}, so that fan-out, history, resume and the broker (memory,
 * or Redis across nodes) are the core's. An update's topics and private flag travel with it as
 * {@linkplain SseEvent#tags() tags}: the first tag is {@code private} or {@code public}, the others
 * are its topics (the first canonical, the rest alternates). Each subscriber's stream carries a
 * filter of its selectors, applied to live and replayed updates alike; an update is still encoded
 * once per node.
 *
 * <p>Transport-neutral: a transport parses the HTTP request into a {@link MercureRequest}, calls
 * {@link #publish} or {@link #subscribe}, and answers a thrown {@link HttpProblem} with its status
 * and its message as a {@code text/plain} body, as the Go hub answers.
 *
 * <p>Who may do what:
 *
 * <ul>
 *   <li>With a subscriber key, a subscriber's token (carriers by precedence: {@code Authorization:
 *       Bearer}, the {@code authorization} query parameter, the {@value #DEFAULT_COOKIE} cookie)
 *       says in {@code mercure.subscribe} which private updates it receives; without a token a
 *       subscriber is refused (401) unless anonymous subscribers are allowed, and then receives
 *       public updates. Without a subscriber key, anyone subscribes, to public updates only.
 *   <li>With a publisher key, a publisher's token must hold {@code mercure.publish} selectors
 *       matching every topic of the update (403 otherwise). Without a publisher key, publishing is
 *       allowed from a loopback address only, unless allowed from anywhere.
 *   <li>A token carried by the cookie on a publish must come with an {@code Origin} (or {@code
 *       Referer}) that the allowlist accepts: a cross-site form cannot publish with a browser's
 *       cookie.
 * </ul>
 */
public final class MercureHub {
  private static final Logger log = LoggerFactory.getLogger(MercureHub.class);

  /** The path of the endpoint. */
  public static final String PATH = "/.well-known/mercure";

  /** The path of the subscriptions API. */
  public static final String SUBSCRIPTIONS_PATH = PATH + "/subscriptions";

  /** The reserved core channel every Mercure update travels on. */
  public static final String CHANNEL = "ssehub.mercure";

  /** The cookie that may carry a token, by default. */
  public static final String DEFAULT_COOKIE = "mercureAuthorization";

  /** The most topics one publish or one subscribe may name, as the Go hub. */
  public static final int MAX_TOPICS = 1000;

  /** The longest topic of an update, in characters. */
  public static final int MAX_TOPIC_LENGTH = TopicSelector.MAX_TOPIC_LENGTH;

  /** What the compiled selectors of one subscribe may weigh together, in bytes (estimated). */
  public static final long MAX_SELECTOR_BYTES_PER_SUBSCRIBE = 8L * 1024 * 1024;

  /**
   * With subscription events on, the most selectors one subscribe may name (each is announced
   * twice).
   */
  public static final int MAX_ANNOUNCED_SELECTORS = 32;

  /**
   * With subscription events on, the selectors a node announces a second, node-wide: subscription
   * events share history with real updates. A subscription over the rate is served but not
   * announced.
   */
  public static final int ANNOUNCEMENTS_PER_SECOND = 20;

  /** The selectors a node may announce at once after a quiet while. */
  public static final int ANNOUNCEMENT_BURST = 100;

  /** The last event id that asks for every update history holds. */
  public static final String EARLIEST = "earliest";

  static final String PRIVATE_TAG = "private";
  static final String PUBLIC_TAG = "public";

  private final SseHub hub;
  private final JwtAuthenticator publisherKey;
  private final JwtAuthenticator subscriberKey;
  private final boolean anonymousSubscribers;
  private final boolean anonymousPublishFromAnywhere;
  private final String cookieName;
  private final Predicate<String> publishOrigins;

  /** The active subscriptions of every node; null when subscription events are off. */
  private final Subscriptions subscriptions;

  /** Bounds the rate of subscription events node-wide; null when they are off. */
  private final AnnouncementBudget announcements;

  private final AtomicLong unannounced = new AtomicLong();
  private final AtomicLong unannouncedLoggedAt =
      new AtomicLong(System.nanoTime() - TimeUnit.MINUTES.toNanos(1));

  private MercureHub(Builder builder) {
    this.hub = Objects.requireNonNull(builder.hub, "hub");
    this.publisherKey = builder.publisherKey;
    this.subscriberKey = builder.subscriberKey;
    this.anonymousSubscribers = builder.anonymousSubscribers;
    this.anonymousPublishFromAnywhere = builder.anonymousPublishFromAnywhere;
    this.cookieName = builder.cookieName;
    this.publishOrigins = builder.publishOrigins;
    if (builder.subscriptions) {
      subscriptions = new Subscriptions();
      announcements = new AnnouncementBudget(ANNOUNCEMENTS_PER_SECOND, ANNOUNCEMENT_BURST);
      // Reads the channel's subscription events, from the oldest history holds, into the registry.
      hub.subscribe(
          SubscribeRequest.reserved(CHANNEL, EARLIEST, subscriptions.observer()),
          SseSink.discarding());
    } else {
      subscriptions = null;
      announcements = null;
    }
  }

  public static Builder builder(SseHub hub) {
    return new Builder(hub);
  }

  // ---- publish

  /**
   * Publishes an update. Completes with its id (the publisher's, or a {@code urn:uuid:} one) once
   * it is in history and on its way to every subscriber.
   *
   * @throws HttpProblem 400 for bad input, 401 for missing or bad credentials, 403 for topics the
   *     token does not grant or that are reserved
   */
  public CompletableFuture<String> publish(MercureRequest request) {
    MercureClaims claims = null;
    if (publisherKey != null) {
      claims = claims(request, publisherKey, true);
      if (claims == null || claims.publish() == null) {
        throw unauthorized(
            claims == null
                ? "publishing needs a token (expected: a JWT with a mercure.publish claim, as Authorization: Bearer)"
                : "the token has no mercure.publish claim (expected: the selectors of the topics it may publish to)");
      }
    } else if (!anonymousPublishFromAnywhere
        && !GrantAuthorizer.isLoopback(request.remoteAddress())) {
      throw unauthorized(
          "anonymous publishing is allowed from loopback only"
              + " (start the hub with --allow-anonymous-publish, or configure a JWT key)");
    }
    List<String> topics = request.formValues("topic");
    if (topics.isEmpty()) {
      throw badRequest("topic", "Missing \"topic\" parameter (expected: at least one topic)");
    }
    if (topics.size() > MAX_TOPICS) {
      throw badRequest(
          "topic",
          "too many topics in update: "
              + topics.size()
              + " (expected: at most "
              + MAX_TOPICS
              + ")");
    }
    for (String topic : topics) {
      if (topic.length() > MAX_TOPIC_LENGTH) {
        throw badRequest(
            "topic",
            "topic of "
                + topic.length()
                + " characters (expected: at most "
                + MAX_TOPIC_LENGTH
                + ")");
      }
      if (topic.contains(PATH)) {
        throw new HttpProblem(
            403,
            "reserved_topic",
            "topic",
            "topic "
                + InvalidInputException.quote(topic)
                + " references the reserved \""
                + PATH
                + "\" namespace");
      }
    }
    Long retry = null;
    String retryText = single(request.formValues("retry"));
    if (retryText != null && !retryText.isEmpty()) {
      if (retryText.length() > 18 || !retryText.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw badRequest(
            "retry",
            "Invalid \"retry\" parameter: "
                + InvalidInputException.quote(retryText)
                + " (expected: a non-negative integer of milliseconds)");
      }
      retry = Long.parseLong(retryText);
    }
    String id = single(request.formValues("id"));
    if (id == null || id.isEmpty()) {
      id = "urn:uuid:" + UUID.randomUUID();
    } else if (id.startsWith("#")) {
      throw badRequest(
          "id",
          "\"id\" must not start with # (got "
              + InvalidInputException.quote(id)
              + "; ids starting with # are reserved)");
    } else if (EARLIEST.equals(id)) {
      throw badRequest(
          "id",
          "\"id\" must not be \"earliest\": that id asks for all of history when reconnecting");
    }
    boolean isPrivate = !request.formValues("private").isEmpty();
    if (claims != null && !canPublish(claims.publish(), topics)) {
      throw new HttpProblem(
          403,
          "forbidden",
          "topic",
          "the token's mercure.publish selectors do not match every topic of "
              + "the update (expected: a selector matching each of "
              + abbreviate(topics)
              + ")");
    }
    List<String> tags = new ArrayList<>(topics.size() + 1);
    tags.add(isPrivate ? PRIVATE_TAG : PUBLIC_TAG);
    tags.addAll(topics);
    SseEvent event;
    try {
      event =
          SseEvent.builder()
              .data(single(request.formValues("data")))
              .type(single(request.formValues("type")))
              .id(id)
              .retry(retry)
              .tags(tags)
              .build();
    } catch (InvalidInputException e) {
      throw badRequest(
          e.field(),
          "\"" + e.field() + "\" field contains a forbidden control character: " + e.getMessage());
    }
    return hub.publish(CHANNEL, event).thenApply(SseEvent::id);
  }

  /** Every topic must match a selector; {@code *} grants all. */
  private static boolean canPublish(List<TopicSelector> selectors, List<String> topics) {
    for (String topic : topics) {
      boolean matched = false;
      for (TopicSelector selector : selectors) {
        if (selector.matches(topic)) {
          matched = true;
          break;
        }
      }
      if (!matched) {
        return false;
      }
    }
    return true;
  }

  // ---- subscribe

  /**
   * Checks a subscribe request and reads, when the client resumes, what history holds for it.
   * Completes with what the transport needs to open the stream.
   *
   * @throws HttpProblem 400 for bad input, 401 for missing or bad credentials
   */
  public CompletableFuture<Opening> subscribe(MercureRequest request) {
    List<String> selectorTexts = request.queryValues("topic");
    if (selectorTexts.isEmpty()) {
      throw badRequest(
          "topic", "Missing \"topic\" parameter (expected: one or more topic selectors)");
    }
    if (selectorTexts.size() > MAX_TOPICS) {
      throw badRequest(
          "topic",
          "too many topic selectors: "
              + selectorTexts.size()
              + " (expected: at most "
              + MAX_TOPICS
              + ")");
    }
    MercureClaims claims = null;
    if (subscriberKey != null) {
      claims = claims(request, subscriberKey, false);
      if (claims == null && !anonymousSubscribers) {
        throw unauthorized(
            "subscribing needs a token (expected: a JWT as Authorization: Bearer, the authorization"
                + " query parameter or the "
                + cookieName
                + " cookie; or a hub that allows anonymous subscribers)");
      }
    }
    if (subscriptions != null && selectorTexts.size() > MAX_ANNOUNCED_SELECTORS) {
      throw badRequest(
          "topic",
          "too many topic selectors for a hub that announces subscriptions: "
              + selectorTexts.size()
              + " (expected: at most "
              + MAX_ANNOUNCED_SELECTORS
              + ")");
    }
    List<TopicSelector> selectors = new ArrayList<>(selectorTexts.size());
    long selectorBytes = 0;
    for (String text : selectorTexts) {
      TopicSelector selector;
      try {
        selector = TopicSelector.of(text);
      } catch (InvalidInputException e) {
        throw badRequest("topic", e.reason());
      }
      selectorBytes += selector.weight();
      if (selectorBytes > MAX_SELECTOR_BYTES_PER_SUBSCRIBE) {
        throw badRequest(
            "topic",
            "the topic selectors are too large together: over "
                + MAX_SELECTOR_BYTES_PER_SUBSCRIBE
                + " bytes compiled at selector "
                + (selectors.size() + 1)
                + " of "
                + selectorTexts.size()
                + " (expected: fewer or simpler templates)");
      }
      selectors.add(selector);
    }
    List<TopicSelector> privateSelectors =
        claims == null || claims.subscribe() == null ? List.of() : claims.subscribe();
    UpdateFilter filter = new UpdateFilter(List.copyOf(selectors), privateSelectors);

    String lastEventId = request.header("Last-Event-ID");
    if (lastEventId == null || lastEventId.isEmpty()) {
      lastEventId = single(request.queryValues("lastEventID"));
    }
    if (lastEventId != null && lastEventId.isEmpty()) {
      lastEventId = null;
    }
    SubscribeRequest subscribe;
    try {
      subscribe =
          SubscribeRequest.reserved(CHANNEL, lastEventId, filter)
              .from(null, request.remoteAddress());
    } catch (InvalidInputException e) {
      throw badRequest("Last-Event-ID", "Last-Event-ID must not contain CR, LF or NUL");
    }
    Instant expiresAt = claims == null ? null : claims.expiresAt();
    Object payload = claims == null ? null : claims.payload();
    List<String> subscribed = List.copyOf(selectorTexts);
    if (lastEventId == null) {
      return CompletableFuture.completedFuture(
          new Opening(subscribe, null, expiresAt, subscribed, payload));
    }
    String requested = lastEventId;
    return hub.broker()
        .history()
        .after(CHANNEL, requested)
        .thenApply(
            replay ->
                new Opening(
                    subscribe,
                    responseLastEventId(requested, replay, filter),
                    expiresAt,
                    subscribed,
                    payload));
  }

  /**
   * The {@code Last-Event-ID} response header, as the Go hub's history transport gives it: the id
   * of the newest update in history this subscriber may receive, else the requested id when history
   * holds it, else {@value #EARLIEST}.
   */
  private static String responseLastEventId(String requested, Replay replay, UpdateFilter filter) {
    List<SseEvent> events = replay.events();
    for (int i = events.size() - 1; i >= 0; i--) {
      if (filter.test(events.get(i))) {
        return events.get(i).id();
      }
    }
    return replay.complete() && !EARLIEST.equals(requested) ? requested : EARLIEST;
  }

  /**
   * A checked subscribe request: the transport sends its headers (with {@code Last-Event-ID} when
   * {@link #lastEventIdHeader()} is set), then {@link #open}s the stream, and ends it at {@link
   * #expiresAt()} when set.
   */
  public final class Opening {
    private final SubscribeRequest request;
    private final String lastEventIdHeader;
    private final Instant expiresAt;
    private final List<String> selectors;
    private final Object payload;

    private Opening(
        SubscribeRequest request,
        String lastEventIdHeader,
        Instant expiresAt,
        List<String> selectors,
        Object payload) {
      this.request = request;
      this.lastEventIdHeader = lastEventIdHeader;
      this.expiresAt = expiresAt;
      this.selectors = selectors;
      this.payload = payload;
    }

    /** The {@code Last-Event-ID} response header; null when the client gave no last event id. */
    public String lastEventIdHeader() {
      return lastEventIdHeader;
    }

    /** When the subscriber's token expires: the stream must end then. Null for no end. */
    public Instant expiresAt() {
      return expiresAt;
    }

    /**
     * Starts the stream on the hub: what history holds after the last event id, then live updates.
     * With subscription events on, announces the subscription, and its end when the returned
     * subscription is closed (which the transport does when the client goes, or at {@link
     * #expiresAt()}).
     */
    public Subscription open(SseSink sink) {
      Subscription subscription = hub.subscribe(request, sink);
      if (subscriptions == null) {
        return subscription;
      }
      if (!announcements.tryTake(selectors.size())) {
        notAnnounced(selectors.size());
        return subscription;
      }
      String subscriberId = "urn:uuid:" + UUID.randomUUID();
      announce(subscriberId, true);
      AtomicBoolean closed = new AtomicBoolean();
      return new Subscription() {
        @Override
        public List<String> channels() {
          return subscription.channels();
        }

        @Override
        public void close() {
          subscription.close();
          if (closed.compareAndSet(false, true)) {
            announce(subscriberId, false);
          }
        }
      };
    }

    /** Counts a subscription not announced, and says so in the log at most every ten seconds. */
    private void notAnnounced(int selectorCount) {
      long count = unannounced.addAndGet(selectorCount);
      long now = System.nanoTime();
      long last = unannouncedLoggedAt.get();
      if (now - last >= TimeUnit.SECONDS.toNanos(10)
          && unannouncedLoggedAt.compareAndSet(last, now)) {
        log.warn(
            "Subscription events over {} a second: {} selectors not announced so far (their subscriptions are"
                + " served, but not listed by the subscriptions API)",
            ANNOUNCEMENTS_PER_SECOND,
            count);
      }
    }

    private void announce(String subscriberId, boolean active) {
      for (String selector : selectors) {
        SseEvent event =
            SseEvent.builder()
                .id("urn:uuid:" + UUID.randomUUID())
                .data(Subscriptions.event(selector, subscriberId, active, payload))
                .tags(List.of(PRIVATE_TAG, Subscriptions.topicOf(selector, subscriberId)))
                .build();
        hub.publish(CHANNEL, event)
            .whenComplete(
                (stored, failure) -> {
                  if (failure != null) {
                    log.warn(
                        "Could not publish the subscription event of {} on {}: {}",
                        subscriberId,
                        selector,
                        failure.toString());
                  }
                });
      }
    }
  }

  // ---- the subscriptions API

  /**
   * Answers {@code GET /.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]} ({@code path}
   * as requested, its segments escaped as in subscription ids): JSON-LD, as the Go hub writes it.
   * With a subscriber key, the token's {@code mercure.subscribe} must match {@code requestUri} (the
   * path and query), as for a private update on it.
   *
   * @throws HttpProblem 404 when subscription events are off, or for a subscription not active; 401
   *     for a missing or insufficient token
   */
  public String subscriptionsApi(MercureRequest request, String path, String requestUri) {
    if (subscriptions == null) {
      throw new HttpProblem(
          404,
          "not_found",
          null,
          "path: "
              + path
              + " (the subscriptions API is off: start the hub with --mercure-subscriptions)");
    }
    String rest =
        path.length() > SUBSCRIPTIONS_PATH.length()
            ? path.substring(SUBSCRIPTIONS_PATH.length() + 1)
            : "";
    String[] segments = rest.isEmpty() ? new String[0] : rest.split("/", -1);
    if (segments.length > 2
        || (segments.length > 0 && segments[0].isEmpty())
        || (segments.length == 2 && segments[1].isEmpty())) {
      throw new HttpProblem(
          404,
          "not_found",
          null,
          "path: "
              + path
              + " (expected: "
              + SUBSCRIPTIONS_PATH
              + "[/{topic}[/{subscriber}]], each escaped)");
    }
    if (subscriberKey != null) {
      MercureClaims claims = claims(request, subscriberKey, false);
      if (claims == null
          || claims.subscribe() == null
          || !TopicSelector.anyMatches(claims.subscribe(), List.of(requestUri))) {
        throw unauthorized(
            "reading subscriptions needs a token whose mercure.subscribe matches " + requestUri);
      }
    }
    String lastEventId =
        subscriptions.lastEventId() != null ? subscriptions.lastEventId() : EARLIEST;
    if (segments.length == 0) {
      return subscriptions.collection(requestUri, null, lastEventId);
    }
    String topic = unescape(segments[0]);
    if (segments.length == 1) {
      return subscriptions.collection(requestUri, topic, lastEventId);
    }
    String single = subscriptions.single(topic, unescape(segments[1]), lastEventId);
    if (single == null) {
      throw new HttpProblem(404, "not_found", null, "subscription: " + path + " is not active");
    }
    return single;
  }

  private static String unescape(String segment) {
    try {
      return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw badRequest("path", "bad %-escape in " + InvalidInputException.quote(segment));
    }
  }

  /** Which updates one subscriber receives: as the Go hub's {@code Subscriber.MatchTopics}. */
  static final class UpdateFilter implements Predicate<SseEvent> {
    private final List<TopicSelector> selectors;
    private final List<TopicSelector> privateSelectors;

    UpdateFilter(List<TopicSelector> selectors, List<TopicSelector> privateSelectors) {
      this.selectors = selectors;
      this.privateSelectors = privateSelectors;
    }

    @Override
    public boolean test(SseEvent event) {
      List<String> tags = event.tags();
      if (tags.size() < 2) {
        return false; // not a Mercure update (the hub's own notices)
      }
      List<String> topics = tags.subList(1, tags.size());
      if (!TopicSelector.anyMatches(selectors, topics)) {
        return false;
      }
      return !PRIVATE_TAG.equals(tags.get(0)) || TopicSelector.anyMatches(privateSelectors, topics);
    }
  }

  // ---- authorization

  /**
   * The claims of the request's token by the carriers' precedence, or null when it carries none.
   */
  private MercureClaims claims(MercureRequest request, JwtAuthenticator key, boolean publishing) {
    String token;
    String authorization = request.header("Authorization");
    List<String> queryTokens = request.queryValues("authorization");
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)
          || authorization.substring(7).isBlank()) {
        throw unauthorized("invalid \"Authorization\" HTTP header (expected: Bearer <JWT>)");
      }
      token = authorization.substring(7).strip();
    } else if (!queryTokens.isEmpty()) {
      if (queryTokens.size() != 1 || queryTokens.get(0).isEmpty()) {
        throw unauthorized("invalid \"authorization\" query parameter (expected: one JWT)");
      }
      token = queryTokens.get(0);
    } else {
      String cookies = request.header("Cookie");
      token = cookies == null ? null : JwtAuthenticator.tokenOf(null, cookies, null, cookieName);
      if (token == null) {
        return null;
      }
      if (publishing) {
        checkOrigin(request);
      }
    }
    try {
      return MercureClaims.of(key.verifiedClaims(token));
    } catch (InvalidTokenException e) {
      throw unauthorized(e.decision().reason());
    }
  }

  /**
   * A publish authorized by a cookie comes from a page of an allowed origin, or is refused (CSRF).
   */
  private void checkOrigin(MercureRequest request) {
    String origin = request.header("Origin");
    if (origin == null || origin.isEmpty()) {
      String referer = request.header("Referer");
      if (referer == null || referer.isEmpty()) {
        throw unauthorized(
            "an \"Origin\" or a \"Referer\" HTTP header must be present to use the cookie-based"
                + " authorization mechanism");
      }
      try {
        URI uri = URI.create(referer);
        origin = uri.getScheme() + "://" + uri.getRawAuthority();
      } catch (IllegalArgumentException e) {
        throw unauthorized("the \"Referer\" HTTP header is not a URL");
      }
    }
    if (!publishOrigins.test(origin)) {
      throw unauthorized(
          "origin "
              + InvalidInputException.quote(origin)
              + " not allowed to post updates with the cookie (expected: an origin of --cors-origin)");
    }
  }

  private static HttpProblem unauthorized(String message) {
    return new HttpProblem(401, "unauthorized", null, message);
  }

  private static HttpProblem badRequest(String field, String message) {
    return HttpProblem.badRequest("invalid_field", field, message);
  }

  private static String single(List<String> values) {
    return values.isEmpty() ? null : values.get(0);
  }

  private static String abbreviate(List<String> topics) {
    String text = topics.toString();
    return text.length() <= 200 ? text : text.substring(0, 200) + "...]";
  }

  /** The settings of the Mercure front door. */
  public static final class Builder {
    private final SseHub hub;
    private JwtAuthenticator publisherKey;
    private JwtAuthenticator subscriberKey;
    private boolean anonymousSubscribers;
    private boolean anonymousPublishFromAnywhere;
    private String cookieName = DEFAULT_COOKIE;
    private Predicate<String> publishOrigins = origin -> false;
    private boolean subscriptions;

    private Builder(SseHub hub) {
      this.hub = Objects.requireNonNull(hub, "hub");
    }

    /**
     * Verifies publishers' tokens; null (the default) for none: anonymous publishing, from loopback
     * unless allowed.
     */
    public Builder publisherKey(JwtAuthenticator key) {
      this.publisherKey = key;
      return this;
    }

    /**
     * Verifies subscribers' tokens; null (the default) for none: anyone subscribes to public
     * updates.
     */
    public Builder subscriberKey(JwtAuthenticator key) {
      this.subscriberKey = key;
      return this;
    }

    /**
     * With a subscriber key, whether subscribers without a token receive public updates (Mercure's
     * {@code anonymous}); false by default.
     */
    public Builder anonymousSubscribers(boolean allowed) {
      this.anonymousSubscribers = allowed;
      return this;
    }

    /**
     * Without a publisher key, whether anyone may publish, not only loopback clients; false by
     * default.
     */
    public Builder anonymousPublishFromAnywhere(boolean allowed) {
      this.anonymousPublishFromAnywhere = allowed;
      return this;
    }

    /** The cookie that may carry a token ({@value #DEFAULT_COOKIE} by default). */
    public Builder cookieName(String cookieName) {
      this.cookieName = Objects.requireNonNull(cookieName, "cookieName");
      return this;
    }

    /** The origins whose pages may publish with the cookie (the CSRF guard); none by default. */
    public Builder publishOrigins(Predicate<String> allowed) {
      this.publishOrigins = Objects.requireNonNull(allowed, "publishOrigins");
      return this;
    }

    /**
     * Whether subscribers' arrivals and departures are published as subscription events and the
     * subscriptions API is served; false by default, as in the Go hub.
     */
    public Builder subscriptions(boolean enabled) {
      this.subscriptions = enabled;
      return this;
    }

    public MercureHub build() {
      return new MercureHub(this);
    }
  }
}

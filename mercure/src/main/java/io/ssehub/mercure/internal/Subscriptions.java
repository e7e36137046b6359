package io.ssehub.mercure.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ssehub.core.SseEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active subscriptions, as Mercure's subscription events describe them: each subscriber announces
 * every topic selector it subscribes to with a private update on {@code
 * /.well-known/mercure/subscriptions/{topic}/{subscriber}} ({@code "active": true}) and takes it
 * back when it leaves ({@code "active": false}).
 *
 * <p>How every node knows the subscriptions of every node: the registry reads the subscription
 * events of the Mercure channel itself, through the core like any stream (so on Redis it hears all
 * nodes), starting from the earliest one history holds. It is {@link #observer()}: a stream filter
 * that notes each subscription event and lets nothing through to its (empty) sink. Limits: a node
 * that dies without saying goodbye leaves its subscriptions listed until a restart of the others'
 * hubs; a node that starts learns the subscriptions older than history's reach only when they end.
 */
public final class Subscriptions {
  private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

  /** The topics of subscription events start with this. */
  public static final String PREFIX = "/.well-known/mercure/subscriptions/";

  static final String CONTEXT = "https://mercure.rocks/";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Go's {@code json.MarshalIndent(v, "", " ")}: two spaces, {@code "key": value}. */
  private static final ObjectWriter GO_INDENT =
      JSON.writer(
          new DefaultPrettyPrinter()
              .withSeparators(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                      .withArrayEmptySeparator("")
                      .withObjectEmptySeparator(""))
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withArrayIndenter(new DefaultIndenter("  ", "\n")));

  /** By subscription id, the subscription as its last event described it; only active ones. */
  private final Map<String, ObjectNode> active = new ConcurrentHashMap<>();

  private volatile String lastEventId;

  /** Sees every update of the channel: notes subscription events, passes nothing. */
  public Predicate<SseEvent> observer() {
    return event -> {
      if (event.id() != null) {
        lastEventId = event.id();
      }
      List<String> tags = event.tags();
      if (tags.size() == 2 && tags.get(1).startsWith(PREFIX)) {
        note(event);
      }
      return false;
    };
  }

  private void note(SseEvent event) {
    try {
      JsonNode node = JSON.readTree(event.data());
      if (node instanceof ObjectNode subscription && subscription.path("id").isTextual()) {
        String id = subscription.get("id").asText();
        if (subscription.path("active").asBoolean(false)) {
          subscription.remove("@context");
          active.put(id, subscription);
        } else {
          active.remove(id);
        }
      }
    } catch (IOException e) {
      log.warn("Skipping a subscription event that is not JSON: {}", event);
    }
  }

  /** The id of the newest update seen on the channel, or null before any. */
  public String lastEventId() {
    return lastEventId;
  }

  /** The topic of one subscription's events. */
  public static String topicOf(String selector, String subscriberId) {
    return PREFIX + escape(selector) + "/" + escape(subscriberId);
  }

  /** The JSON-LD of a subscription event, as the Go hub writes it. */
  public static String event(
      String selector, String subscriberId, boolean isActive, Object payload) {
    ObjectNode node = JSON.createObjectNode();
    node.put("@context", CONTEXT);
    node.put("id", topicOf(selector, subscriberId));
    node.put("type", "Subscription");
    node.put("subscriber", subscriberId);
    node.put("topic", selector);
    node.put("active", isActive);
    if (payload != null) {
      node.set("payload", JSON.valueToTree(payload));
    }
    return write(node);
  }

  /**
   * {@code GET /.well-known/mercure/subscriptions[/{topic}]}: a collection; {@code topic} null for
   * all.
   */
  public String collection(String requestUri, String topic, String lastEventIdOrEarliest) {
    ObjectNode root = JSON.createObjectNode();
    root.put("@context", CONTEXT);
    root.put("id", requestUri);
    root.put("type", "Subscriptions");
    root.put("lastEventID", lastEventIdOrEarliest);
    List<ObjectNode> matching = new ArrayList<>();
    for (ObjectNode subscription : active.values()) {
      if (topic == null || topic.equals(subscription.path("topic").asText())) {
        matching.add(subscription);
      }
    }
    matching.sort((a, b) -> a.get("id").asText().compareTo(b.get("id").asText()));
    root.putArray("subscriptions").addAll(matching);
    return write(root);
  }

  /**
   * {@code GET /.well-known/mercure/subscriptions/{topic}/{subscriber}}: one, or null when not
   * active.
   */
  public String single(String topic, String subscriberId, String lastEventIdOrEarliest) {
    ObjectNode subscription = active.get(topicOf(topic, subscriberId));
    if (subscription == null) {
      return null;
    }
    ObjectNode node = JSON.createObjectNode();
    node.put("@context", CONTEXT);
    subscription
        .fields()
        .forEachRemaining(
            field -> {
              node.set(field.getKey(), field.getValue());
              if (field.getKey().equals("active")) {
                node.put("lastEventID", lastEventIdOrEarliest);
              }
            });
    return write(node);
  }

  /**
   * Go's {@code url.QueryEscape}: everything but letters, digits and {@code -_.~} is %-encoded,
   * space as {@code +}.
   */
  static String escape(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
  }

  private static String write(JsonNode node) {
    try {
      return GO_INDENT.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.ssehub.spring;

import io.ssehub.core.MemoryBroker;
import io.ssehub.core.SseHub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the ssehub starter, under {@code ssehub.*}. Every one has a default; an app needs
 * none of them to stream at {@code /stream}.
 */
@ConfigurationProperties("ssehub")
public class SseHubProperties {
  /** Path of the stream endpoint ({@code GET ?channel=...}, text/event-stream). */
  private String path = "/stream";

  /** Path of the HTTP publish endpoint (POST, JSON or form); empty (the default) turns it off. */
  private String publishPath = "";

  /** How often an idle stream gets a keepalive comment; 0 turns keepalives off. */
  private Duration keepalive = SseHub.DEFAULT_KEEPALIVE;

  /** Reconnection time sent to clients in the first line of each stream (the retry: field). */
  private Duration reconnectDelay = SseHub.DEFAULT_RECONNECT_DELAY;

  /**
   * Bytes that may wait for one slow client before its stream is cut (it then resumes from
   * history).
   */
  private DataSize maxPending = DataSize.ofBytes(SseHub.DEFAULT_MAX_PENDING_BYTES);

  /**
   * Bytes that may wait for all of the app's streams together; past it the streams furthest behind
   * are cut (they resume from history). Null: a quarter of the JVM's maximum heap.
   */
  private DataSize maxTotalPending;

  /** Largest event accepted for publishing, encoded. */
  private DataSize maxEventSize = DataSize.ofBytes(SseHub.DEFAULT_MAX_EVENT_BYTES);

  private final History history = new History();

  private final Redis redis = new Redis();

  private final Security security = new Security();

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public String getPublishPath() {
    return publishPath;
  }

  public void setPublishPath(String publishPath) {
    this.publishPath = publishPath;
  }

  public Duration getKeepalive() {
    return keepalive;
  }

  public void setKeepalive(Duration keepalive) {
    this.keepalive = keepalive;
  }

  public Duration getReconnectDelay() {
    return reconnectDelay;
  }

  public void setReconnectDelay(Duration reconnectDelay) {
    this.reconnectDelay = reconnectDelay;
  }

  public DataSize getMaxPending() {
    return maxPending;
  }

  public void setMaxPending(DataSize maxPending) {
    this.maxPending = maxPending;
  }

  public DataSize getMaxTotalPending() {
    return maxTotalPending;
  }

  public void setMaxTotalPending(DataSize maxTotalPending) {
    this.maxTotalPending = maxTotalPending;
  }

  public DataSize getMaxEventSize() {
    return maxEventSize;
  }

  public void setMaxEventSize(DataSize maxEventSize) {
    this.maxEventSize = maxEventSize;
  }

  public History getHistory() {
    return history;
  }

  public Redis getRedis() {
    return redis;
  }

  public Security getSecurity() {
    return security;
  }

  /** Replay history, kept per channel for clients that reconnect with a last event id. */
  public static class History {
    /** Events kept per channel. */
    private int size = MemoryBroker.DEFAULT_HISTORY_SIZE;

    /** How long an event stays in history. */
    private Duration ttl = MemoryBroker.DEFAULT_HISTORY_TTL;

    /** Bytes of one channel's history; past it the oldest events leave first. */
    private DataSize maxBytes = DataSize.ofBytes(MemoryBroker.DEFAULT_HISTORY_MAX_BYTES);

    /**
     * Bytes of all channels' history together, in memory (without Redis); default an eighth of the
     * heap.
     */
    private DataSize maxTotalBytes;

    public int getSize() {
      return size;
    }

    public void setSize(int size) {
      this.size = size;
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    public DataSize getMaxBytes() {
      return maxBytes;
    }

    public void setMaxBytes(DataSize maxBytes) {
      this.maxBytes = maxBytes;
    }

    public DataSize getMaxTotalBytes() {
      return maxTotalBytes;
    }

    public void setMaxTotalBytes(DataSize maxTotalBytes) {
      this.maxTotalBytes = maxTotalBytes;
    }
  }

  /** Redis, to share events between instances; without it the hub is in memory. */
  public static class Redis {
    /**
     * Redis URL (redis://[user:password@]host:port/db); when unset,
     * spring.data.redis.url/host/port/database/password if given.
     */
    private String url;

    /**
     * Prefix of the Redis channel and history key names (joined by '|'), for a Redis shared with
     * other apps.
     */
    private String channelPrefix;

    /** How long startup waits for Redis to be reachable. */
    private Duration connectTimeout = Duration.ofSeconds(10);

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public String getChannelPrefix() {
      return channelPrefix;
    }

    public void setChannelPrefix(String channelPrefix) {
      this.channelPrefix = channelPrefix;
    }

    public Duration getConnectTimeout() {
      return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }
  }

  /**
   * Access by Spring Security authorities, when Spring Security is on the classpath and the app
   * declares no {@code Authorizer} bean: see {@link SpringSecurityAuthorizer}.
   */
  public static class Security {
    /**
     * Whether channels are granted by Spring Security authorities (when it is present and no
     * Authorizer bean is); false lets everyone read and publish.
     */
    private boolean enabled = true;

    /**
     * Prefix of the authorities that grant channels: <prefix>subscribe:<pattern> and
     * <prefix>publish:<pattern> (SCOPE_ssehub: for OAuth2 scopes).
     */
    private String authorityPrefix = "ssehub:";

    /**
     * Channel patterns (* for any run of characters) that anyone may subscribe to, signed in or
     * not.
     */
    private List<String> publicChannels = new ArrayList<>();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getAuthorityPrefix() {
      return authorityPrefix;
    }

    public void setAuthorityPrefix(String authorityPrefix) {
      this.authorityPrefix = authorityPrefix;
    }

    public List<String> getPublicChannels() {
      return publicChannels;
    }

    public void setPublicChannels(List<String> publicChannels) {
      this.publicChannels = publicChannels;
    }
  }
}

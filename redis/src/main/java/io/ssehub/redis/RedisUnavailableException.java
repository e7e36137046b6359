package io.ssehub.redis;

/**
 * Redis could not be reached when the broker {@linkplain RedisBroker#connect() connected}. The
 * message names the URI with its password masked, and the reason. Later outages do not throw this:
 * the broker reconnects by itself, and publishes fail with {@link
 * io.ssehub.core.BrokerUnavailableException} meanwhile.
 */
public class RedisUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RedisUnavailableException(String message) {
    super(message);
  }

  public RedisUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

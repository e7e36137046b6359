package io.ssehub.core;

/**
 * The broker cannot take the publish right now (Redis is down, the hub is shutting down). Nothing
 * was stored or delivered: the publisher may retry. HTTP adapters answer 503.
 */
public class BrokerUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BrokerUnavailableException(String message) {
    super(message);
  }

  public BrokerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.ssehub.http;

import io.ssehub.core.AccessDecision;
import io.ssehub.core.AccessDeniedException;

/**
 * A token was given but does not hold: expired, not yet valid, badly signed, of an algorithm not
 * accepted, malformed, or with a claim of the wrong shape. A 401, whose {@code WWW-Authenticate}
 * says {@code error="invalid_token"} (RFC 6750, 3.1). The message never holds the token.
 */
public final class InvalidTokenException extends AccessDeniedException {
  private static final long serialVersionUID = 1L;

  public InvalidTokenException(String reason) {
    super(AccessDecision.unauthenticated(reason));
  }
}

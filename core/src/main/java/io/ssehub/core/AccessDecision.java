package io.ssehub.core;

/**
 * An {@link Authorizer}'s answer: allowed, or refused with a reason the client may read (it must
 * not reveal secrets: it ends up in the HTTP error body).
 */
public final class AccessDecision {
  private static final AccessDecision ALLOW = new AccessDecision(Outcome.ALLOWED, null);

  /** How a request was decided; each refusal maps to one HTTP status. */
  public enum Outcome {
    ALLOWED,
    /** No credentials, or credentials that do not hold (expired, badly signed): HTTP 401. */
    UNAUTHENTICATED,
    /** Good credentials that do not grant this channel: HTTP 403. */
    FORBIDDEN
  }

  private final Outcome outcome;
  private final String reason;

  private AccessDecision(Outcome outcome, String reason) {
    this.outcome = outcome;
    this.reason = reason;
  }

  public static AccessDecision allow() {
    return ALLOW;
  }

  public static AccessDecision unauthenticated(String reason) {
    return new AccessDecision(Outcome.UNAUTHENTICATED, reason);
  }

  public static AccessDecision forbidden(String reason) {
    return new AccessDecision(Outcome.FORBIDDEN, reason);
  }

  public Outcome outcome() {
    return outcome;
  }

  public boolean allowed() {
    return outcome == Outcome.ALLOWED;
  }

  /** Why it was refused; null when allowed. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return reason == null ? outcome.toString() : outcome + ": " + reason;
  }
}

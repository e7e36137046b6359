package io.ssehub.core;

/**
 * An {@link Authorizer} refused a stream or a publish; {@link #decision()} says how (401 or 403).
 */
public class AccessDeniedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient AccessDecision decision;

  public AccessDeniedException(AccessDecision decision) {
    super(decision.reason() != null ? decision.reason() : decision.outcome().toString());
    if (decision.allowed()) {
      throw new IllegalArgumentException("decision: " + decision + " (expected: a refusal)");
    }
    this.decision = decision;
  }

  public AccessDecision decision() {
    return decision;
  }

  /**
   * Whether the client gave no usable credentials (HTTP 401) rather than credentials without the
   * right (403).
   */
  public boolean unauthenticated() {
    return decision.outcome() == AccessDecision.Outcome.UNAUTHENTICATED;
  }
}

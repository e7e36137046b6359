package io.ssehub.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.ssehub.core.ChannelPattern;
import io.ssehub.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Authenticates an HTTP request by its JSON Web Token (RFC 7519), signed (RFC 7515) with the one
 * key family configured: an HMAC secret ({@code HS256}), an RSA or EC public key from a PEM file
 * ({@code RS256}/{@code RS384}/{@code RS512}, {@code ES256}/{@code ES384}/{@code ES512} by curve),
 * or a JWKS file of public keys. Signatures are checked by Nimbus JOSE+JWT; this class decides
 * which algorithms are accepted and what the claims mean.
 *
 * <p><b>Where the token is read</b>, first carrier present wins, the others are then ignored (a bad
 * token in the first is refused even when a later one would hold: a fallback would hide a stale
 * credential):
 *
 * <ol>
 *   <li>{@code Authorization: Bearer <token>} (RFC 6750, 2.1); an {@code Authorization} header of
 *       another scheme is not ours and is ignored;
 *   <li>the cookie {@link #cookieName()} ({@value #DEFAULT_COOKIE} by default), for a browser's
 *       {@code EventSource} on the same site;
 *   <li>the query parameter {@value #TOKEN_PARAM} (RFC 6750, 2.3), for an {@code EventSource} that
 *       can set neither headers nor cookies. It ends up in access logs: prefer short-lived tokens.
 * </ol>
 *
 * <p>No carrier: an anonymous client ({@code null}); the authorizer then decides (public channels).
 *
 * <p><b>What is refused</b> with an {@link InvalidTokenException} (HTTP 401): a malformed token, an
 * unsigned one ({@code alg: none}), an encrypted one, one whose {@code alg} is not of the
 * configured key's family (so an RS256 public key can never be used as an HS256 secret: the
 * "algorithm confusion" attack), a wrong signature, an {@code exp} in the past or an {@code nbf} in
 * the future (each with {@link Builder#clockSkew} of slack), and an {@value #CLAIM} claim of the
 * wrong shape. A token without {@code exp} does not expire. A valid token without the claim grants
 * nothing.
 *
 * <p><b>The claim</b>: {@code "ssehub": {"subscribe": ["news", "user.u1.*"], "publish": []}}, each
 * entry a {@link ChannelPattern} ({@code *} matches any run of characters); both lists optional.
 *
 * <p>Never logs, and no message holds, a token. Immutable and thread-safe.
 */
public final class JwtAuthenticator {
  /** The cookie read by default. */
  public static final String DEFAULT_COOKIE = "ssehub_token";

  /** The query parameter that carries a token. */
  public static final String TOKEN_PARAM = "token";

  /** The claim holding the grants. */
  public static final String CLAIM = "ssehub";

  /** Slack on {@code exp} and {@code nbf} for clocks that disagree a little, by default. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

  /** The shortest HMAC secret: as long as the hash (RFC 7518, 3.2). */
  public static final int MIN_HMAC_SECRET_BYTES = 32;

  /** The shortest RSA key accepted (RFC 7518, 3.3). */
  public static final int MIN_RSA_BITS = 2048;

  /** Longer tokens are refused before they are parsed. */
  public static final int MAX_TOKEN_CHARS = 8192;

  /** More patterns than this in one list are refused. */
  public static final int MAX_PATTERNS = 1024;

  private static final String REALM = "Bearer realm=\"ssehub\"";

  private final List<Key> keys;
  private final Set<JWSAlgorithm> algorithms;
  private final String cookieName;
  private final Duration clockSkew;
  private final Clock clock;
  private final String describe;

  /** A key, the algorithms it verifies, its {@code kid} (null when none). */
  private record Key(String kid, Set<JWSAlgorithm> algorithms, JWSVerifier verifier) {}

  private JwtAuthenticator(Builder builder) {
    this.keys = List.copyOf(builder.keys);
    Set<JWSAlgorithm> all = new LinkedHashSet<>();
    keys.forEach(key -> all.addAll(key.algorithms()));
    this.algorithms = Set.copyOf(all);
    this.cookieName = builder.cookieName;
    this.clockSkew = builder.clockSkew;
    this.clock = builder.clock;
    this.describe = builder.describe;
  }

  // ---- keys

  /**
   * Tokens signed with HS256 and this secret.
   *
   * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_HMAC_SECRET_BYTES}
   *     bytes
   */
  public static Builder hmacSecret(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length < MIN_HMAC_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "jwt secret: "
              + secret.length
              + " bytes (expected: at least "
              + MIN_HMAC_SECRET_BYTES
              + " bytes for HS256, RFC 7518 section 3.2)");
    }
    try {
      return new Builder(
          List.of(new Key(null, Set.of(JWSAlgorithm.HS256), new MACVerifier(secret.clone()))),
          "HS256 secret");
    } catch (JOSEException e) {
      throw new IllegalArgumentException("jwt secret: " + e.getMessage(), e);
    }
  }

  /**
   * Tokens signed with the private half of this public key: PEM text of an X.509
   * SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}), RSA (RS256, RS384, RS512) or EC
   * (ES256 on P-256, ES384 on P-384, ES512 on P-521).
   *
   * @throws IllegalArgumentException if it is not such a key
   */
  public static Builder publicKeyPem(String pem) {
    PublicKey key = parsePem(pem);
    Key verifying = verifierOf(null, key, null, "public key");
    return new Builder(List.of(verifying), verifying.algorithms() + " public key");
  }

  /** As {@link #publicKeyPem(String)}, read from a file. */
  public static Builder publicKeyPem(Path file) {
    return publicKeyPem(read(file, "public key"));
  }

  /**
   * Tokens signed with one of the keys of this JSON Web Key Set (RFC 7517, 5): RSA and EC public
   * keys; a key with an {@code alg} verifies that algorithm only, one with {@code use: enc} is
   * skipped. A token with a {@code kid} is checked against the keys with that id only.
   *
   * @throws IllegalArgumentException if it is not a JWKS, or holds no usable key, or a symmetric
   *     one
   */
  public static Builder jwks(String json) {
    JWKSet set;
    try {
      set = JWKSet.parse(json);
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          "jwks: not a JSON Web Key Set ("
              + e.getMessage()
              + ") (expected: {\"keys\":[...]}, RFC 7517 section 5)");
    }
    List<Key> keys = new ArrayList<>();
    for (JWK jwk : set.getKeys()) {
      String what = "jwks key " + (jwk.getKeyID() != null ? jwk.getKeyID() : "#" + keys.size());
      if (KeyUse.ENCRYPTION.equals(jwk.getKeyUse())) {
        continue;
      }
      PublicKey publicKey;
      try {
        if (jwk instanceof RSAKey rsa) {
          publicKey = rsa.toRSAPublicKey();
        } else if (jwk instanceof ECKey ec) {
          publicKey = ec.toECPublicKey();
        } else {
          throw new IllegalArgumentException(
              what
                  + ": key type "
                  + jwk.getKeyType()
                  + " (expected: RSA or EC public keys; a shared secret does not belong in a key set)");
        }
      } catch (JOSEException e) {
        throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
      }
      JWSAlgorithm only =
          jwk.getAlgorithm() == null ? null : JWSAlgorithm.parse(jwk.getAlgorithm().getName());
      keys.add(verifierOf(jwk.getKeyID(), publicKey, only, what));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          "jwks: no signing key (expected: at least one RSA or EC public key)");
    }
    return new Builder(keys, "JWKS of " + keys.size() + " key" + (keys.size() == 1 ? "" : "s"));
  }

  /** As {@link #jwks(String)}, read from a file. */
  public static Builder jwks(Path file) {
    return jwks(read(file, "jwks"));
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(what + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static PublicKey parsePem(String pem) {
    Objects.requireNonNull(pem, "pem");
    String begin = "-----BEGIN PUBLIC KEY-----";
    String end = "-----END PUBLIC KEY-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      String found =
          pem.contains("PRIVATE KEY")
              ? "a private key"
              : pem.contains("BEGIN RSA PUBLIC KEY")
                  ? "a PKCS#1 RSA PUBLIC KEY (convert: openssl rsa -RSAPublicKey_in -pubout)"
                  : pem.contains("CERTIFICATE")
                      ? "a certificate (extract its key: openssl x509 -pubkey -noout)"
                      : "no PEM block";
      throw new IllegalArgumentException(
          "public key: " + found + " (expected: a " + begin + " PEM block)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "public key: bad base64 in the PEM block (" + e.getMessage() + ")");
    }
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (InvalidKeySpecException e) {
        // try the next type
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK has no " + algorithm + " KeyFactory", e);
      }
    }
    throw new IllegalArgumentException(
        "public key: not an RSA or EC key (expected: X.509 SubjectPublicKeyInfo)");
  }

  private static Key verifierOf(String kid, PublicKey key, JWSAlgorithm only, String what) {
    Set<JWSAlgorithm> family;
    JWSVerifier verifier;
    try {
      if (key instanceof RSAPublicKey rsa) {
        if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
          throw new IllegalArgumentException(
              what
                  + ": RSA key of "
                  + rsa.getModulus().bitLength()
                  + " bits (expected: at least "
                  + MIN_RSA_BITS
                  + ")");
        }
        family = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512);
        verifier = new RSASSAVerifier(rsa);
      } else if (key instanceof ECPublicKey ec) {
        Curve curve = Curve.forECParameterSpec(ec.getParams());
        if (Curve.P_256.equals(curve)) {
          family = Set.of(JWSAlgorithm.ES256);
        } else if (Curve.P_384.equals(curve)) {
          family = Set.of(JWSAlgorithm.ES384);
        } else if (Curve.P_521.equals(curve)) {
          family = Set.of(JWSAlgorithm.ES512);
        } else {
          throw new IllegalArgumentException(
              what + ": EC curve " + curve + " (expected: P-256, P-384 or P-521)");
        }
        verifier = new ECDSAVerifier(ec);
      } else {
        throw new IllegalArgumentException(
            what + ": " + key.getAlgorithm() + " key (expected: RSA or EC)");
      }
    } catch (JOSEException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
    if (only != null) {
      if (!family.contains(only)) {
        throw new IllegalArgumentException(
            what
                + ": alg "
                + only
                + " does not fit the key (expected: one of "
                + new TreeSet<>(family.stream().map(JWSAlgorithm::getName).toList())
                + ")");
      }
      family = Set.of(only);
    }
    return new Key(kid, family, verifier);
  }

  // ---- requests

  /**
   * The principal of a request by its token carriers (see the class comment for the order), or null
   * when it carries no token.
   *
   * @param authorization the {@code Authorization} header, or null
   * @param cookieHeader the {@code Cookie} header (every cookie, {@code a=1; b=2}), or null
   * @param query the decoded query ({@link QueryDecoder#decode}), for {@value #TOKEN_PARAM}
   * @throws InvalidTokenException for a token that does not hold
   */
  public JwtPrincipal authenticate(
      String authorization, String cookieHeader, Map<String, List<String>> query) {
    String token = tokenOf(authorization, cookieHeader, query, cookieName);
    return token == null ? null : verify(token);
  }

  /**
   * The token of a request, by the carriers' order; null when none carries one. Public for adapters
   * that only need to know whether a token was sent.
   *
   * @throws InvalidTokenException for an empty {@code Bearer}, or {@value #TOKEN_PARAM} given twice
   */
  public static String tokenOf(
      String authorization,
      String cookieHeader,
      Map<String, List<String>> query,
      String cookieName) {
    if (authorization != null) {
      String trimmed = authorization.strip();
      int space = trimmed.indexOf(' ');
      String scheme = space < 0 ? trimmed : trimmed.substring(0, space);
      if (scheme.equalsIgnoreCase("Bearer")) {
        String token = space < 0 ? "" : trimmed.substring(space + 1).strip();
        if (token.isEmpty()) {
          throw new InvalidTokenException(
              "Authorization: Bearer without a token (expected: Bearer <JWT>)");
        }
        return token;
      }
    }
    if (cookieHeader != null && cookieName != null) {
      String cookie = cookie(cookieHeader, cookieName);
      if (cookie != null && !cookie.isEmpty()) {
        return cookie;
      }
    }
    List<String> values = query == null ? null : query.get(TOKEN_PARAM);
    if (values != null && !values.isEmpty()) {
      if (values.size() > 1) {
        throw new InvalidTokenException(
            TOKEN_PARAM + ": given " + values.size() + " times (expected: once)");
      }
      String token = values.get(0);
      return token.isEmpty() ? null : token;
    }
    return null;
  }

  /**
   * The first cookie named {@code name} in a {@code Cookie} header (RFC 6265, 5.4), unquoted; null
   * if none.
   */
  static String cookie(String header, String name) {
    int start = 0;
    while (start < header.length()) {
      int end = header.indexOf(';', start);
      if (end < 0) {
        end = header.length();
      }
      int eq = header.indexOf('=', start);
      if (eq > start && eq < end && header.substring(start, eq).strip().equals(name)) {
        String value = header.substring(eq + 1, end).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return value;
      }
      start = end + 1;
    }
    return null;
  }

  /**
   * The principal of one token.
   *
   * @throws InvalidTokenException if it does not hold (see the class comment)
   */
  public JwtPrincipal verify(String token) {
    JWTClaimsSet claims = checkedClaims(token);
    Object grants = claims.getClaim(CLAIM);
    List<ChannelPattern> subscribe = List.of();
    List<ChannelPattern> publish = List.of();
    if (grants != null) {
      if (!(grants instanceof Map<?, ?> map)) {
        throw badClaim(CLAIM, "a JSON object {\"subscribe\":[...],\"publish\":[...]}");
      }
      subscribe = patterns(map.get("subscribe"), CLAIM + ".subscribe");
      publish = patterns(map.get("publish"), CLAIM + ".publish");
    }
    Date exp = claims.getExpirationTime();
    Instant expiresAt = exp == null ? null : exp.toInstant();
    return new JwtPrincipal(claims.getSubject(), subscribe, publish, expiresAt);
  }

  /**
   * The claims of a token that holds (signature, {@code exp} and {@code nbf} checked as by {@link
   * #verify}), as JSON values ({@code exp} in seconds), for front doors with claims of their own
   * (Mercure's {@code mercure} claim).
   *
   * @throws InvalidTokenException if it does not hold
   */
  public Map<String, Object> verifiedClaims(String token) {
    return checkedClaims(token).toJSONObject();
  }

  private JWTClaimsSet checkedClaims(String token) {
    Objects.requireNonNull(token, "token");
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new InvalidTokenException(
          "token: " + token.length() + " characters (expected: at most " + MAX_TOKEN_CHARS + ")");
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException | RuntimeException e) {
      throw malformed();
    }
    if (jwt instanceof PlainJWT) {
      throw new InvalidTokenException(
          "token: unsigned (alg: none) (expected: a token signed with " + algorithmNames() + ")");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw new InvalidTokenException(
          "token: encrypted (JWE) (expected: a token signed with " + algorithmNames() + ")");
    }
    JWSHeader header = signed.getHeader();
    JWSAlgorithm alg = header.getAlgorithm();
    if (!algorithms.contains(alg)) {
      // Only the configured key's family: an RS256 key never verifies an HS256 MAC (algorithm
      // confusion).
      throw new InvalidTokenException(
          "token: alg " + alg + " is not accepted (expected: " + algorithmNames() + ")");
    }
    if (!verified(signed, header)) {
      throw new InvalidTokenException(
          "token: bad signature (expected: a token signed with the hub's " + describe + ")");
    }
    JWTClaimsSet claims;
    try {
      claims = signed.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      throw new InvalidTokenException(
          "token: claims are not a valid JSON object with registered claims of their types");
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp != null && !now.isBefore(exp.toInstant().plus(clockSkew))) {
      throw new InvalidTokenException(
          "token: expired at "
              + exp.toInstant()
              + " (expected: a token valid at "
              + now
              + ", clock skew "
              + clockSkew.toSeconds()
              + "s)");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
      throw new InvalidTokenException(
          "token: not valid before "
              + nbf.toInstant()
              + " (expected: a token valid at "
              + now
              + ", clock skew "
              + clockSkew.toSeconds()
              + "s)");
    }
    return claims;
  }

  private boolean verified(SignedJWT signed, JWSHeader header) {
    String kid = header.getKeyID();
    boolean anyKid = keys.stream().anyMatch(key -> key.kid() != null);
    for (Key key : keys) {
      if (!key.algorithms().contains(header.getAlgorithm())) {
        continue;
      }
      if (anyKid && kid != null && !kid.equals(key.kid())) {
        continue; // a key set with ids: the token names its key
      }
      try {
        if (signed.verify(key.verifier())) {
          return true;
        }
      } catch (JOSEException | RuntimeException e) {
        // an unsupported critical header, a key too short for the algorithm: not verified
      }
    }
    return false;
  }

  private static List<ChannelPattern> patterns(Object value, String field) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw badClaim(field, "an array of channel patterns");
    }
    if (list.size() > MAX_PATTERNS) {
      throw badClaim(field, "at most " + MAX_PATTERNS + " patterns, not " + list.size());
    }
    List<ChannelPattern> patterns = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof String text)) {
        throw badClaim(field + "[" + i + "]", "a string");
      }
      try {
        patterns.add(ChannelPattern.of(text));
      } catch (InvalidInputException e) {
        throw new InvalidTokenException("token: claim " + field + "[" + i + "]: " + e.getMessage());
      }
    }
    return patterns;
  }

  private static InvalidTokenException badClaim(String field, String expected) {
    return new InvalidTokenException(
        "token: claim " + field + " has the wrong shape (expected: " + expected + ")");
  }

  private static InvalidTokenException malformed() {
    return new InvalidTokenException(
        "token: malformed (expected: a JWT, three base64url parts separated by dots)");
  }

  private String algorithmNames() {
    return new TreeSet<>(algorithms.stream().map(JWSAlgorithm::getName).toList()).toString();
  }

  // ---- answers

  /**
   * {@code problem} with the {@code WWW-Authenticate} challenge that a 401 of a bearer-token API
   * carries (RFC 6750, 3): {@code Bearer realm="ssehub"}, plus {@code error="invalid_token"} when
   * {@code failure} is a token that did not hold. Other statuses are returned as they are.
   */
  public static HttpProblem withChallenge(HttpProblem problem, Throwable failure) {
    if (problem.status() != 401) {
      return problem;
    }
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return problem.withHeader(
        "WWW-Authenticate",
        cause instanceof InvalidTokenException ? REALM + ", error=\"invalid_token\"" : REALM);
  }

  /** The cookie read for a token. */
  public String cookieName() {
    return cookieName;
  }

  /** The algorithms accepted, by name. */
  public Set<String> algorithms() {
    return new TreeSet<>(algorithms.stream().map(JWSAlgorithm::getName).toList());
  }

  /** The clock slack on {@code exp} and {@code nbf}. */
  public Duration clockSkew() {
    return clockSkew;
  }

  @Override
  public String toString() {
    return "JwtAuthenticator{"
        + describe
        + ", "
        + algorithmNames()
        + ", cookie "
        + cookieName
        + "}";
  }

  /** The settings besides the key; every one has a default. */
  public static final class Builder {
    private final List<Key> keys;
    private final String describe;
    private String cookieName = DEFAULT_COOKIE;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private Clock clock = Clock.systemUTC();

    private Builder(List<Key> keys, String describe) {
      this.keys = keys;
      this.describe = describe;
    }

    /**
     * The cookie that may carry a token ({@value #DEFAULT_COOKIE} by default); a cookie-name token
     * (RFC 6265).
     */
    public Builder cookieName(String cookieName) {
      Objects.requireNonNull(cookieName, "cookieName");
      if (cookieName.isEmpty()
          || !cookieName
              .chars()
              .allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
        throw new IllegalArgumentException(
            "cookieName: "
                + InvalidInputException.quote(cookieName)
                + " (expected: a cookie name, RFC 6265: visible ASCII without separators)");
      }
      this.cookieName = cookieName;
      return this;
    }

    /** Slack on {@code exp} and {@code nbf} ({@link #DEFAULT_CLOCK_SKEW} by default). */
    public Builder clockSkew(Duration clockSkew) {
      if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "clockSkew: " + clockSkew + " (expected: 0 to 10 minutes)");
      }
      this.clockSkew = clockSkew;
      return this;
    }

    /**
     * The clock that says what "now" is, for {@code exp} and {@code nbf}; tests set a fixed one.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public JwtAuthenticator build() {
      return new JwtAuthenticator(this);
    }
  }
}

package io.ssehub.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.ssehub.core.AccessDeniedException;
import io.ssehub.core.ChannelPattern;
import io.ssehub.testkit.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tokens that hold, and each way one may not: named for the attack or the mistake. */
class JwtAuthenticatorTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final KeyPair RSA = Tokens.rsa();

  private final JwtAuthenticator hmac =
      JwtAuthenticator.hmacSecret(Tokens.SECRET).clock(CLOCK).build();
  private final JwtAuthenticator rsa =
      JwtAuthenticator.publicKeyPem(Tokens.pem(RSA.getPublic())).clock(CLOCK).build();

  private static JWTClaimsSet news() {
    return Tokens.grants(NOW, List.of("news", "user.u1.*"), List.of("news")).build();
  }

  private static List<String> texts(List<ChannelPattern> patterns) {
    return patterns.stream().map(ChannelPattern::toString).toList();
  }

  @Test
  void hs256TokenGrantsItsChannels() {
    JwtPrincipal principal = hmac.verify(Tokens.hs256(Tokens.SECRET, news()));
    assertThat(principal.getName()).isEqualTo("u1");
    assertThat(texts(principal.subscribe())).containsExactly("news", "user.u1.*");
    assertThat(texts(principal.publish())).containsExactly("news");
    assertThat(principal.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
  }

  @Test
  void rs256AndEs256TokensHold() {
    assertThat(rsa.verify(Tokens.rs256(RSA, news())).getName()).isEqualTo("u1");
    KeyPair ec = Tokens.ec256();
    JwtAuthenticator es =
        JwtAuthenticator.publicKeyPem(Tokens.pem(ec.getPublic())).clock(CLOCK).build();
    assertThat(es.algorithms()).containsExactly("ES256");
    assertThat(es.verify(Tokens.es256(ec, news())).getName()).isEqualTo("u1");
    assertThatThrownBy(() -> es.verify(Tokens.rs256(RSA, news())))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("alg RS256 is not accepted");
  }

  @Test
  void jwksPicksTheKeyByKid() throws Exception {
    KeyPair other = Tokens.rsa();
    KeyPair ec = Tokens.ec256();
    JWKSet set =
        new JWKSet(
            List.of(
                new RSAKey.Builder((RSAPublicKey) other.getPublic()).keyID("old").build(),
                new RSAKey.Builder((RSAPublicKey) RSA.getPublic()).keyID("new").build(),
                new ECKey.Builder(Curve.P_256, (ECPublicKey) ec.getPublic()).keyID("ec").build()));
    JwtAuthenticator jwks = JwtAuthenticator.jwks(set.toString()).clock(CLOCK).build();
    assertThat(jwks.algorithms()).containsExactly("ES256", "RS256", "RS384", "RS512");
    String signed =
        Tokens.sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, "new", news());
    assertThat(jwks.verify(signed).getName()).isEqualTo("u1");
    String wrongKid =
        Tokens.sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, "old", news());
    assertThatThrownBy(() -> jwks.verify(wrongKid)).hasMessageContaining("bad signature");
  }

  @Test
  void jwksWithASharedSecretIsRefused() {
    String json =
        "{\"keys\":[{\"kty\":\"oct\",\"k\":\""
            + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(Tokens.SECRET)
            + "\"}]}";
    assertThatThrownBy(() -> JwtAuthenticator.jwks(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key type oct");
  }

  @Test
  void expiredTokenIsRefused() {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder(news()).expirationTime(Date.from(NOW.minusSeconds(31))).build();
    assertThatThrownBy(() -> hmac.verify(Tokens.hs256(Tokens.SECRET, claims)))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("token: expired at 2029-12-31T23:59:29Z");
  }

  @Test
  void expiryWithinTheClockSkewIsAccepted() {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder(news()).expirationTime(Date.from(NOW.minusSeconds(29))).build();
    assertThat(hmac.verify(Tokens.hs256(Tokens.SECRET, claims))).isNotNull();
    JwtAuthenticator strict =
        JwtAuthenticator.hmacSecret(Tokens.SECRET).clock(CLOCK).clockSkew(Duration.ZERO).build();
    assertThatThrownBy(() -> strict.verify(Tokens.hs256(Tokens.SECRET, claims)))
        .hasMessageContaining("expired");
  }

  @Test
  void notYetValidTokenIsRefused() {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder(news()).notBeforeTime(Date.from(NOW.plusSeconds(60))).build();
    assertThatThrownBy(() -> hmac.verify(Tokens.hs256(Tokens.SECRET, claims)))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("not valid before 2030-01-01T00:01:00Z");
    JWTClaimsSet soon =
        new JWTClaimsSet.Builder(news()).notBeforeTime(Date.from(NOW.plusSeconds(20))).build();
    assertThat(hmac.verify(Tokens.hs256(Tokens.SECRET, soon))).isNotNull();
  }

  @Test
  void wronglySignedTokenIsRefused() {
    byte[] otherSecret = "another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> hmac.verify(Tokens.hs256(otherSecret, news())))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("bad signature");
    assertThatThrownBy(() -> rsa.verify(Tokens.rs256(Tokens.rsa(), news())))
        .hasMessageContaining("bad signature");
  }

  @Test
  void tamperedPayloadIsRefused() {
    String[] parts = Tokens.hs256(Tokens.SECRET, news()).split("\\.");
    String forged =
        Tokens.hs256(Tokens.SECRET, Tokens.grants(NOW, List.of("*"), List.of("*")).build())
            .split("\\.")[1];
    assertThatThrownBy(() -> hmac.verify(parts[0] + "." + forged + "." + parts[2]))
        .hasMessageContaining("bad signature");
  }

  @Test
  void algNoneIsRefused() {
    assertThatThrownBy(() -> hmac.verify(Tokens.unsigned(news())))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("unsigned (alg: none)");
    assertThatThrownBy(() -> rsa.verify(Tokens.unsigned(news()))).hasMessageContaining("alg: none");
  }

  @Test
  void hs256SignedWithThePublicKeyIsRefused() throws Exception {
    // The algorithm-confusion attack: the attacker knows the public key and uses its PEM bytes as
    // an HMAC secret.
    byte[] publicPem = Tokens.pem(RSA.getPublic()).getBytes(StandardCharsets.US_ASCII);
    String confused = Tokens.sign(new MACSigner(publicPem), JWSAlgorithm.HS256, null, news());
    assertThatThrownBy(() -> rsa.verify(confused))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("alg HS256 is not accepted (expected: [RS256, RS384, RS512])");
  }

  @Test
  void rs256TokenAgainstAnHmacSecretIsRefused() {
    assertThatThrownBy(() -> hmac.verify(Tokens.rs256(RSA, news())))
        .hasMessageContaining("alg RS256 is not accepted (expected: [HS256])");
  }

  @Test
  void malformedTokensAreRefusedWithoutEchoingThem() {
    for (String token :
        List.of("", "abc", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.!!!.x", "x".repeat(9000))) {
      assertThatThrownBy(() -> hmac.verify(token))
          .isInstanceOf(InvalidTokenException.class)
          .satisfies(
              e ->
                  assertThat(e.getMessage())
                      .startsWith("token: ")
                      .doesNotContain("!!!")
                      .hasSizeLessThan(200));
    }
  }

  @Test
  void badClaimShapesAreRefused() {
    Map<String, Object> shapes =
        Map.of(
            "a string", "news",
            "subscribe not an array", Map.of("subscribe", "news"),
            "a number in the array", Map.of("subscribe", List.of(1)),
            "a pattern with a space", Map.of("publish", List.of("bad channel")),
            "a pattern with CRLF", Map.of("subscribe", List.of("news\r\nX-Evil: 1")));
    shapes.forEach(
        (what, claim) -> {
          JWTClaimsSet claims = new JWTClaimsSet.Builder(news()).claim("ssehub", claim).build();
          assertThatThrownBy(() -> hmac.verify(Tokens.hs256(Tokens.SECRET, claims)))
              .as(what)
              .isInstanceOf(InvalidTokenException.class)
              .hasMessageContaining("token: claim ssehub");
        });
    JWTClaimsSet stringExp = new JWTClaimsSet.Builder(news()).claim("exp", "tomorrow").build();
    assertThatThrownBy(() -> hmac.verify(Tokens.hs256(Tokens.SECRET, stringExp)))
        .hasMessageContaining("claims");
  }

  @Test
  void tokenWithoutTheClaimGrantsNothing() {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("u2").build();
    JwtPrincipal principal = hmac.verify(Tokens.hs256(Tokens.SECRET, claims));
    assertThat(principal.subscribe()).isEmpty();
    assertThat(principal.publish()).isEmpty();
    assertThat(principal.expiresAt()).isNull();
  }

  @Test
  void shortSecretIsRefused() {
    assertThatThrownBy(() -> JwtAuthenticator.hmacSecret(new byte[31]))
        .hasMessage(
            "jwt secret: 31 bytes (expected: at least 32 bytes for HS256, RFC 7518 section 3.2)");
  }

  @Test
  void privateKeyPemIsRefusedWithAHint() {
    assertThatThrownBy(
            () ->
                JwtAuthenticator.publicKeyPem(
                    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))
        .hasMessageContaining("a private key");
  }

  // ---- carriers

  @Test
  void headerBeatsCookieBeatsQuery() {
    Map<String, List<String>> query = Map.of("token", List.of("q"));
    assertThat(JwtAuthenticator.tokenOf("Bearer h", "ssehub_token=c", query, "ssehub_token"))
        .isEqualTo("h");
    assertThat(JwtAuthenticator.tokenOf("bearer  h ", null, Map.of(), "ssehub_token"))
        .isEqualTo("h");
    assertThat(JwtAuthenticator.tokenOf(null, "a=1; ssehub_token=c; b=2", query, "ssehub_token"))
        .isEqualTo("c");
    assertThat(JwtAuthenticator.tokenOf(null, "a=1; ssehub_token=\"c\"", query, "ssehub_token"))
        .isEqualTo("c");
    assertThat(JwtAuthenticator.tokenOf("Basic dXNlcjpwdw==", "other=1", query, "ssehub_token"))
        .isEqualTo("q");
    assertThat(JwtAuthenticator.tokenOf(null, null, Map.of("token", List.of("")), "ssehub_token"))
        .isNull();
    assertThat(JwtAuthenticator.tokenOf(null, null, Map.of(), "ssehub_token")).isNull();
  }

  @Test
  void noFallbackFromABadHeaderToAGoodCookie() {
    String good = Tokens.hs256(Tokens.SECRET, news());
    assertThatThrownBy(() -> hmac.authenticate("Bearer nonsense", "ssehub_token=" + good, Map.of()))
        .isInstanceOf(InvalidTokenException.class);
    assertThat(hmac.authenticate(null, "ssehub_token=" + good, Map.of())).isNotNull();
    assertThat(hmac.authenticate(null, null, Map.of("token", List.of(good)))).isNotNull();
    assertThat(hmac.authenticate(null, null, Map.of())).isNull();
  }

  @Test
  void emptyBearerAndRepeatedTokenParameterAreRefused() {
    assertThatThrownBy(() -> JwtAuthenticator.tokenOf("Bearer ", null, Map.of(), "c"))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("Bearer without a token");
    assertThatThrownBy(
            () -> JwtAuthenticator.tokenOf(null, null, Map.of("token", List.of("a", "b")), "c"))
        .hasMessage("token: given 2 times (expected: once)");
  }

  @Test
  void configuredCookieName() {
    JwtAuthenticator custom =
        JwtAuthenticator.hmacSecret(Tokens.SECRET).cookieName("auth").clock(CLOCK).build();
    String good = Tokens.hs256(Tokens.SECRET, news());
    assertThat(custom.authenticate(null, "ssehub_token=x; auth=" + good, Map.of())).isNotNull();
    assertThatThrownBy(() -> JwtAuthenticator.hmacSecret(Tokens.SECRET).cookieName("a b"))
        .hasMessageContaining("cookieName");
  }

  @Test
  void challengeOn401Only() {
    AccessDeniedException bad = new InvalidTokenException("token: expired");
    HttpProblem invalid = JwtAuthenticator.withChallenge(HttpProblem.of(bad), bad);
    assertThat(invalid.headers())
        .containsEntry("WWW-Authenticate", "Bearer realm=\"ssehub\", error=\"invalid_token\"");
    AccessDeniedException none =
        new AccessDeniedException(io.ssehub.core.AccessDecision.unauthenticated("needs a token"));
    assertThat(JwtAuthenticator.withChallenge(HttpProblem.of(none), none).headers())
        .containsEntry("WWW-Authenticate", "Bearer realm=\"ssehub\"");
    AccessDeniedException forbidden =
        new AccessDeniedException(io.ssehub.core.AccessDecision.forbidden("no"));
    assertThat(JwtAuthenticator.withChallenge(HttpProblem.of(forbidden), forbidden).headers())
        .isEmpty();
  }

  @Test
  void toStringRevealsNoSecret() {
    assertThat(hmac.toString())
        .doesNotContain(new String(Tokens.SECRET, StandardCharsets.UTF_8))
        .contains("HS256");
  }
}

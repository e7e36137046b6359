package io.ssehub.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Makes test tokens: signed with a secret or a key pair, or forged on purpose. */
public final class Tokens {
  public static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8);

  private Tokens() {}

  /** Claims granting these channel patterns, valid from an hour ago to an hour from {@code now}. */
  public static JWTClaimsSet.Builder grants(
      Instant now, List<String> subscribe, List<String> publish) {
    return new JWTClaimsSet.Builder()
        .subject("u1")
        .issueTime(Date.from(now.minusSeconds(3600)))
        .expirationTime(Date.from(now.plusSeconds(3600)))
        .claim("ssehub", Map.of("subscribe", subscribe, "publish", publish));
  }

  public static String hs256(byte[] secret, JWTClaimsSet claims) {
    try {
      return sign(new MACSigner(secret), JWSAlgorithm.HS256, null, claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  public static String rs256(KeyPair pair, JWTClaimsSet claims) {
    return sign(new RSASSASigner(pair.getPrivate()), JWSAlgorithm.RS256, null, claims);
  }

  public static String es256(KeyPair pair, JWTClaimsSet claims) {
    try {
      return sign(
          new ECDSASigner((ECPrivateKey) pair.getPrivate()), JWSAlgorithm.ES256, null, claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned token: {@code {"alg":"none"}}, the claims, and an empty signature. */
  public static String unsigned(JWTClaimsSet claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8))
        + ".";
  }

  public static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ec256() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public key as a PEM block, as {@code openssl pkey -pubout} writes it. */
  public static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }
}

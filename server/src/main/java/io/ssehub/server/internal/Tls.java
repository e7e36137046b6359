package io.ssehub.server.internal;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * The server's TLS context from PEM files: a certificate chain and its unencrypted PKCS#8 private
 * key (RSA or EC), on the JDK's TLS provider (no native library, no BouncyCastle), offering HTTP/2
 * then HTTP/1.1 by ALPN.
 *
 * <p>Every problem with a file is a {@link BadFile} that says which file and what is wrong with it,
 * so that start-up stops with a message a person can act on.
 */
public final class Tls {
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  private static final String CONVERT_HINT =
      "convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8.pem";

  private Tls() {}

  /** The file that is wrong: the certificate chain or the private key. */
  public enum Part {
    CERTIFICATE,
    KEY
  }

  /** A certificate or key file that cannot be used; the message names the file. */
  public static final class BadFile extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient Part part;

    BadFile(Part part, Path file, String problem, Throwable cause) {
      super(file + ": " + problem, cause);
      this.part = part;
    }

    public Part part() {
      return part;
    }
  }

  /**
   * A server context for these PEM files.
   *
   * @throws BadFile if a file cannot be read or used, or the key does not match the certificate
   */
  public static SslContext serverContext(Path certificateFile, Path keyFile) {
    X509Certificate[] chain = certificateChain(certificateFile);
    PrivateKey key = privateKey(keyFile);
    checkPair(chain[0], key, keyFile, certificateFile);
    try {
      return SslContextBuilder.forServer(key, chain)
          .sslProvider(SslProvider.JDK)
          // RFC 9113, 9.2.2: HTTP/2 clients refuse a connection on a blocked cipher suite.
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  ApplicationProtocolNames.HTTP_2,
                  ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new BadFile(
          Part.KEY, keyFile, "not usable with " + certificateFile + " (" + e.getMessage() + ")", e);
    }
  }

  /** The certificates of a PEM file, the server's own first. */
  static X509Certificate[] certificateChain(Path file) {
    String text = read(Part.CERTIFICATE, file);
    List<byte[]> blocks = blocks(text, "CERTIFICATE");
    if (blocks.isEmpty()) {
      throw new BadFile(
          Part.CERTIFICATE,
          file,
          "no PEM certificate (expected: one or more -----BEGIN CERTIFICATE----- blocks, the server's first)",
          null);
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      X509Certificate[] chain = new X509Certificate[blocks.size()];
      for (int i = 0; i < chain.length; i++) {
        Certificate certificate =
            factory.generateCertificate(new ByteArrayInputStream(blocks.get(i)));
        chain[i] = (X509Certificate) certificate;
      }
      return chain;
    } catch (CertificateException | ClassCastException e) {
      throw new BadFile(
          Part.CERTIFICATE, file, "not a valid X.509 certificate (" + e.getMessage() + ")", e);
    }
  }

  /** The unencrypted PKCS#8 private key of a PEM file: RSA or EC. */
  static PrivateKey privateKey(Path file) {
    String text = read(Part.KEY, file);
    List<byte[]> blocks = blocks(text, "PRIVATE KEY");
    if (blocks.size() != 1) {
      String problem;
      if (text.contains("-----BEGIN RSA PRIVATE KEY-----")
          || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
        problem =
            "a PKCS#1/SEC 1 key (expected: PKCS#8, -----BEGIN PRIVATE KEY-----; "
                + CONVERT_HINT
                + ")";
      } else if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
        problem = "an encrypted key (expected: unencrypted PKCS#8; " + CONVERT_HINT + ")";
      } else if (blocks.isEmpty()) {
        problem = "no PEM private key (expected: one -----BEGIN PRIVATE KEY----- block, PKCS#8)";
      } else {
        problem = blocks.size() + " private keys (expected: one)";
      }
      throw new BadFile(Part.KEY, file, problem, null);
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(blocks.get(0));
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // not this algorithm: try the next
      }
    }
    throw new BadFile(Part.KEY, file, "not an RSA or EC private key in PKCS#8 form", null);
  }

  /**
   * Signs with the key and verifies with the certificate: a key of another certificate fails here,
   * not at the first handshake.
   */
  private static void checkPair(
      X509Certificate certificate, PrivateKey key, Path keyFile, Path certificateFile) {
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    if (!key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
      throw new BadFile(
          Part.KEY,
          keyFile,
          "a "
              + key.getAlgorithm()
              + " key, but the certificate in "
              + certificateFile
              + " holds a "
              + certificate.getPublicKey().getAlgorithm()
              + " key (expected: its pair)",
          null);
    }
    try {
      byte[] probe = "ssehub".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new BadFile(
            Part.KEY,
            keyFile,
            "does not match the certificate in "
                + certificateFile
                + " (expected: the key of its first certificate)",
            null);
      }
    } catch (GeneralSecurityException e) {
      throw new BadFile(
          Part.KEY,
          keyFile,
          "cannot be checked against " + certificateFile + " (" + e.getMessage() + ")",
          e);
    }
  }

  private static String read(Part part, Path file) {
    try {
      return Files.readString(
          file, StandardCharsets.ISO_8859_1); // never fails on bytes: a DER file is "no PEM"
    } catch (IOException e) {
      throw new BadFile(part, file, "cannot be read (" + e + ")", e);
    }
  }

  private static List<byte[]> blocks(String text, String label) {
    Matcher matcher = PEM_BLOCK.matcher(text);
    List<byte[]> blocks = new ArrayList<>();
    while (matcher.find()) {
      if (matcher.group(1).equals(label)) {
        blocks.add(Base64.getMimeDecoder().decode(matcher.group(2)));
      }
    }
    return blocks;
  }
}

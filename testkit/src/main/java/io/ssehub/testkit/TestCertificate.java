package io.ssehub.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed EC certificate for {@code localhost} and {@code 127.0.0.1}, made by the JDK's own
 * {@code keytool} (no BouncyCastle), as the PEM files a server is given: {@link #certificateFile()}
 * and its unencrypted PKCS#8 {@link #keyFile()}. Clients trust it through {@link #clientContext()};
 * Chromium through {@link #chromiumFlag()}. Valid for two days; the directory is deleted on {@link
 * #close()}.
 */
public final class TestCertificate implements AutoCloseable {
  private static final char[] PASSWORD = "ssehub-test".toCharArray();
  private static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);

  private final Path directory;
  private final X509Certificate certificate;
  private final PrivateKey key;

  private TestCertificate(Path directory, X509Certificate certificate, PrivateKey key) {
    this.directory = directory;
    this.certificate = certificate;
    this.key = key;
  }

  /** Makes a fresh key pair and certificate in a temporary directory. */
  public static TestCertificate create() {
    try {
      Path directory = Files.createTempDirectory("ssehub-tls-");
      ProcessReaper.register(directory);
      Path store = directory.resolve("server.p12");
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      Process process =
          new ProcessBuilder(
                  List.of(
                      keytool.toString(),
                      "-genkeypair",
                      "-alias",
                      "server",
                      "-keyalg",
                      "EC",
                      "-groupname",
                      "secp256r1",
                      "-dname",
                      "CN=localhost",
                      "-ext",
                      "SAN=dns:localhost,ip:127.0.0.1",
                      "-validity",
                      "2",
                      "-storetype",
                      "PKCS12",
                      "-keystore",
                      store.toString(),
                      "-storepass",
                      new String(PASSWORD),
                      "-keypass",
                      new String(PASSWORD)))
              .redirectErrorStream(true)
              .start();
      if (!process.waitFor(KEYTOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(keytool + " did not finish within " + KEYTOOL_TIMEOUT);
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            keytool + " failed (" + process.exitValue() + "): " + output);
      }
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keyStore.load(in, PASSWORD);
      }
      X509Certificate certificate = (X509Certificate) keyStore.getCertificate("server");
      PrivateKey key = (PrivateKey) keyStore.getKey("server", PASSWORD);
      Files.writeString(
          directory.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
      Files.writeString(
          directory.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded())); // PKCS#8
      return new TestCertificate(directory, certificate, key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("test certificate: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making a test certificate", e);
    }
  }

  /** The certificate, PEM. */
  public Path certificateFile() {
    return directory.resolve("cert.pem");
  }

  /** The private key, unencrypted PKCS#8 PEM. */
  public Path keyFile() {
    return directory.resolve("key.pem");
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public PrivateKey key() {
    return key;
  }

  /** A client {@link SSLContext} that trusts this certificate, and nothing else. */
  public SSLContext clientContext() {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("server", certificate);
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("test certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Chromium's flag that accepts this certificate's key, and no other certificate error: the base64
   * SHA-256 of its SubjectPublicKeyInfo.
   */
  public String chromiumFlag() {
    try {
      byte[] spki =
          MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
      return "--ignore-certificate-errors-spki-list=" + Base64.getEncoder().encodeToString(spki);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes the files. */
  @Override
  public void close() {
    ProcessReaper.delete(directory);
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }
}

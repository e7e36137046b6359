package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.testkit.TestCertificate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --tls-cert} and {@code --tls-key}: both or neither, and files that cannot serve stop
 * start-up naming flag and file.
 */
class TlsFlagsTest {
  private static TestCertificate certificate;
  private static TestCertificate other;

  @TempDir Path dir;

  @BeforeAll
  static void makeCertificates() {
    certificate = TestCertificate.create();
    other = TestCertificate.create();
  }

  @AfterAll
  static void deleteCertificates() {
    certificate.close();
    other.close();
  }

  private static Main parse(Map<String, String> env, String... args) {
    CommandLine cmd = Main.commandLine(env);
    cmd.parseArgs(args);
    return cmd.getCommand();
  }

  private static int run(String... args) {
    CommandLine cmd = Main.commandLine(Map.of());
    cmd.setErr(new PrintWriter(new StringWriter()));
    return cmd.execute(args);
  }

  private static String problem(Path cert, Path key) {
    Main main = parse(Map.of(), "--tls-cert", cert.toString(), "--tls-key", key.toString());
    try {
      main.checkTls();
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted " + cert + " and " + key);
  }

  private Path file(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void aGoodPairIsAcceptedFromFlagsOrEnvironment() {
    Main main =
        parse(
            Map.of(
                "SSEHUB_TLS_CERT",
                certificate.certificateFile().toString(),
                "SSEHUB_TLS_KEY",
                certificate.keyFile().toString()));
    assertThat(main.tlsCert).isEqualTo(certificate.certificateFile());
    assertThat(main.tlsKey).isEqualTo(certificate.keyFile());
    assertThatCode(main::checkTls).doesNotThrowAnyException();
    assertThatCode(parse(Map.of())::checkTls).doesNotThrowAnyException(); // neither: plain HTTP
  }

  @Test
  void oneWithoutTheOtherStopsStartUp() {
    assertThatThrownBy(
            parse(Map.of(), "--tls-cert", certificate.certificateFile().toString())::checkTls)
        .hasMessageContaining("--tls-cert given without --tls-key");
    assertThatThrownBy(parse(Map.of("SSEHUB_TLS_KEY", certificate.keyFile().toString()))::checkTls)
        .hasMessageContaining("--tls-key given without --tls-cert");
    assertThat(run("--port", "0", "--tls-key", certificate.keyFile().toString())).isEqualTo(2);
  }

  @Test
  void aMissingFileIsNamedWithItsFlag() {
    Path missing = dir.resolve("missing.pem");
    assertThat(problem(missing, certificate.keyFile()))
        .startsWith("--tls-cert " + missing + ": cannot be read");
    assertThat(problem(certificate.certificateFile(), missing))
        .startsWith("--tls-key " + missing + ": cannot be read");
    assertThat(
            run(
                "--port",
                "0",
                "--tls-cert",
                missing.toString(),
                "--tls-key",
                certificate.keyFile().toString()))
        .isEqualTo(2);
  }

  @Test
  void aCertificateFileWithoutACertificateIsRefused() throws Exception {
    Path notPem = file("cert.der", "\u0030\u0082binary");
    assertThat(problem(notPem, certificate.keyFile()))
        .startsWith("--tls-cert " + notPem + ": no PEM certificate");
    Path broken =
        file("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assertThat(problem(broken, certificate.keyFile()))
        .startsWith("--tls-cert " + broken + ": not a valid X.509 certificate");
    // A key where the certificate should be.
    assertThat(problem(certificate.keyFile(), certificate.keyFile())).startsWith("--tls-cert ");
  }

  @Test
  void keysOfOtherFormsSayHowToConvertThem() throws Exception {
    Path pkcs1 =
        file("rsa.pem", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertThat(problem(certificate.certificateFile(), pkcs1))
        .startsWith("--tls-key " + pkcs1 + ": a PKCS#1/SEC 1 key")
        .contains("openssl pkcs8 -topk8 -nocrypt");
    Path encrypted =
        file(
            "enc.pem",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThat(problem(certificate.certificateFile(), encrypted))
        .startsWith("--tls-key " + encrypted + ": an encrypted key");
    Path garbage =
        file("garbage.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThat(problem(certificate.certificateFile(), garbage))
        .startsWith("--tls-key " + garbage + ": not an RSA or EC private key");
    assertThat(problem(certificate.certificateFile(), certificate.certificateFile()))
        .startsWith("--tls-key " + certificate.certificateFile() + ": no PEM private key");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    assertThat(problem(certificate.certificateFile(), other.keyFile()))
        .startsWith(
            "--tls-key "
                + other.keyFile()
                + ": does not match the certificate in "
                + certificate.certificateFile());
    assertThat(
            run(
                "--port",
                "0",
                "--tls-cert",
                certificate.certificateFile().toString(),
                "--tls-key",
                other.keyFile().toString()))
        .isEqualTo(2);
  }

  @Test
  void theBuilderRefusesBadFilesToo() {
    assertThatThrownBy(
            () -> SseHubServer.builder().tls(certificate.certificateFile(), other.keyFile()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(other.keyFile().toString());
  }
}

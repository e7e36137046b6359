package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --config FILE} and {@code --print-config}: precedence, checks, masking; no server is
 * started.
 */
class ConfigFileTest {
  @TempDir Path dir;

  private Path file(String text) throws IOException {
    Path file = dir.resolve("ssehub.properties");
    Files.writeString(file, text);
    return file;
  }

  private static Main parse(Map<String, String> env, String... args) {
    CommandLine cmd = Main.commandLine(env, args);
    cmd.parseArgs(args);
    return cmd.getCommand();
  }

  @Test
  void fileBeatsDefaultEnvironmentBeatsFileFlagBeatsEnvironment() throws IOException {
    Path config =
        file(
            """
        # a comment
        port=9001
        keepalive=2s
        history-size=5
        redis-prefix=app:
        cors-origin=https://a.example,https://b.example
        allow-anonymous-publish=true
        """);
    Main main =
        parse(
            Map.of("SSEHUB_KEEPALIVE", "3s", "SSEHUB_HISTORY_SIZE", "6"),
            "--config",
            config.toString(),
            "--history-size",
            "7");
    assertThat(main.port).as("file beats default").isEqualTo(9001);
    assertThat(main.keepalive).as("environment beats file").isEqualTo(Duration.ofSeconds(3));
    assertThat(main.historySize).as("flag beats environment").isEqualTo(7);
    assertThat(main.redisPrefix).isEqualTo("app:");
    assertThat(main.corsOrigins).containsExactly("https://a.example", "https://b.example");
    assertThat(main.allowAnonymousPublish).isTrue();
    assertThat(main.maxEventBytes).as("default where nothing is said").isEqualTo(1048576);
  }

  @Test
  void fileNamedByTheEnvironmentAndAliasesAccepted() throws IOException {
    Path config = file("redis=redis://127.0.0.1:1/0\n");
    Main main = parse(Map.of("SSEHUB_CONFIG", config.toString()));
    assertThat(main.redisUrl).isEqualTo("redis://127.0.0.1:1/0");
    Path other = dir.resolve("other.properties");
    Files.writeString(other, "redis-url=redis://127.0.0.1:2/0\n");
    assertThat(parse(Map.of(), "--config=" + other).redisUrl).isEqualTo("redis://127.0.0.1:2/0");
  }

  @Test
  void unknownKeyStopsStartUpNamingIt() throws IOException {
    Path config = file("prot=8080\n");
    Run run = run(Map.of(), "--config", config.toString());
    assertThat(run.code).isEqualTo(2);
    assertThat(run.err).contains("unknown key 'prot'").contains(config.toString()).contains("port");
  }

  @Test
  void badValueStopsStartUpNamingTheKeyAndWhatWasExpected() throws IOException {
    Run port = run(Map.of(), "--config", file("port=eighty\n").toString());
    assertThat(port.code).isEqualTo(2);
    assertThat(port.err).contains("port: 'eighty' is not a port (expected: 0 to 65535)");

    Run duration = run(Map.of(), "--config", file("keepalive=soon\n").toString());
    assertThat(duration.code).isEqualTo(2);
    assertThat(duration.err).contains("keepalive: ").contains("soon");

    Run bool = run(Map.of(), "--config", file("allow-anonymous-publish=yes\n").toString());
    assertThat(bool.code).isEqualTo(2);
    assertThat(bool.err)
        .contains("allow-anonymous-publish: 'yes' is not a boolean (expected: true or false)");

    Run twice =
        run(Map.of(), "--config", file("redis=redis://a:1\nredis-url=redis://b:1\n").toString());
    assertThat(twice.code).isEqualTo(2);
    assertThat(twice.err).contains("given twice");
  }

  @Test
  void missingFileStopsStartUp() {
    Run run = run(Map.of(), "--config", dir.resolve("absent.properties").toString());
    assertThat(run.code).isEqualTo(2);
    assertThat(run.err).contains("--config: cannot read").contains("absent.properties");
  }

  @Test
  void printConfigShowsEffectiveValuesWithSourcesAndMasksSecrets() throws IOException {
    Path config = file("jwt-secret=file-secret-file-secret-file-secret-0123\nkeepalive=2s\n");
    Run run =
        run(
            Map.of("SSEHUB_REDIS_URL", "redis://user:hunter2@127.0.0.1:6379/0"),
            "--config",
            config.toString(),
            "--port",
            "9100",
            "--print-config");
    assertThat(run.code).isZero();
    assertThat(run.out)
        .contains("port=9100")
        .contains("# flag")
        .contains("keepalive=2s")
        .contains("# config file " + config)
        .contains("redis-url=redis://user:***@127.0.0.1:6379/0")
        .contains("# environment SSEHUB_REDIS_URL")
        .contains("jwt-secret=****")
        .contains("history-size=1000")
        .contains("# default")
        .contains("# jwks=  (not set)")
        .doesNotContain("hunter2")
        .doesNotContain("file-secret");
  }

  @Test
  void printConfigMasksEveryRedisPasswordForm() {
    for (String uri :
        java.util.List.of(
            "redis://127.0.0.1:6379?password=hunter2",
            "rediss://:hunter2@h:6380",
            "redis://:hunter2@h:6379/0",
            "redis://hunter2@h",
            "redis://:hunter/two@h:6379",
            "redis-sentinel://:hunter2@s1:26379,s2:26379#mymaster",
            "redis-cluster://:hunter2@h1:7000,h2:7001")) {
      Run run = run(Map.of(), "--redis", uri, "--print-config");
      assertThat(run.code).as(uri).isZero();
      assertThat(run.out).as(uri).contains("redis-url=").contains("***").doesNotContain("hunter");
    }
    Run cluster = run(Map.of(), "--redis-cluster", ":hunter2@h1:7000,h2:7001", "--print-config");
    assertThat(cluster.out)
        .contains("redis-cluster=:***@h1:7000,h2:7001")
        .doesNotContain("hunter2");
  }

  @Test
  void printedConfigReadsBackAsAConfigFile() throws IOException {
    Run printed = run(Map.of(), "--port", "9200", "--keepalive", "4s", "--print-config");
    assertThat(printed.code).isZero();
    Path config = file(printed.out);
    Main main = parse(Map.of(), "--config", config.toString());
    assertThat(main.port).isEqualTo(9200);
    assertThat(main.keepalive).isEqualTo(Duration.ofSeconds(4));
  }

  record Run(int code, String out, String err) {}

  private static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(env, new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }
}

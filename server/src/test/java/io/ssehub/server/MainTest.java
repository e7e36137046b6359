package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Flags, environment variables and defaults, without starting a server. */
class MainTest {
  static final String[] FLAGS = {
    "--host",
    "--port",
    "--keepalive",
    "--max-event-bytes",
    "--max-pending-bytes",
    "--max-total-pending-bytes",
    "--history-size",
    "--history-max-bytes",
    "--history-max-total-bytes",
    "--history-ttl",
    "--reconnect-delay",
    "--max-fanout-backlog",
    "--max-fanout-delay",
    "--io-threads"
  };

  @Test
  void defaultsAreTheDocumentedOnes() {
    Main main = parse(Map.of());
    assertThat(main.host).isEqualTo("0.0.0.0");
    assertThat(main.port).isEqualTo(8080);
    assertThat(main.keepalive).isEqualTo(Duration.ofSeconds(15));
    assertThat(main.maxEventBytes).isEqualTo(1048576);
    assertThat(main.maxPendingBytes).isEqualTo(4 * 1048576);
    assertThat(main.maxTotalPendingBytes)
        .as("a quarter of the heap, when the hub is built")
        .isNull();
    assertThat(main.historySize).isEqualTo(1000);
    assertThat(main.historyTtl).isEqualTo(Duration.ofHours(1));
    assertThat(main.reconnectDelay).isEqualTo(Duration.ofSeconds(3));
    assertThat(main.maxFanOutBacklog).isEqualTo(200_000);
    assertThat(main.maxFanOutDelay).isEqualTo(Duration.ofSeconds(1));
    assertThat(main.ioThreads).isZero(); // two per core
  }

  @Test
  void environmentBeatsDefault() {
    Main main =
        parse(
            Map.of(
                "SSEHUB_PORT",
                "9090",
                "SSEHUB_MAX_EVENT_BYTES",
                "64KiB",
                "SSEHUB_KEEPALIVE",
                "PT2S",
                "SSEHUB_HISTORY_TTL",
                "2m",
                "SSEHUB_HOST",
                "127.0.0.1"));
    assertThat(main.port).isEqualTo(9090);
    assertThat(main.maxEventBytes).isEqualTo(65536);
    assertThat(main.keepalive).isEqualTo(Duration.ofSeconds(2));
    assertThat(main.historyTtl).isEqualTo(Duration.ofMinutes(2));
    assertThat(main.host).isEqualTo("127.0.0.1");
  }

  @Test
  void flagBeatsEnvironment() {
    Main main =
        parse(
            Map.of("SSEHUB_PORT", "9090", "SSEHUB_RECONNECT_DELAY", "10s"),
            "--port",
            "7070",
            "--reconnect-delay",
            "500ms",
            "--max-pending-bytes",
            "1m",
            "--history-size",
            "0");
    assertThat(main.port).isEqualTo(7070);
    assertThat(main.reconnectDelay).isEqualTo(Duration.ofMillis(500));
    assertThat(main.maxPendingBytes).isEqualTo(1048576);
    assertThat(main.historySize).isZero();
  }

  @Test
  void historyByteBoundsByDefaultFlagOrEnvironment() {
    Main defaults = parse(Map.of());
    assertThat(defaults.historyMaxBytes).isEqualTo(64L << 20);
    assertThat(defaults.historyMaxTotalBytes)
        .as("an eighth of the heap, when the broker is built")
        .isNull();
    Main set =
        parse(
            Map.of("SSEHUB_HISTORY_MAX_BYTES", "1MiB", "SSEHUB_HISTORY_MAX_TOTAL_BYTES", "256MiB"));
    assertThat(set.historyMaxBytes).isEqualTo(1L << 20);
    assertThat(set.historyMaxTotalBytes).isEqualTo(256L << 20);
    assertThat(
            parse(Map.of("SSEHUB_HISTORY_MAX_BYTES", "1MiB"), "--history-max-bytes", "2m")
                .historyMaxBytes)
        .isEqualTo(2L << 20);
  }

  @Test
  void theNodesPendingBytesByFlagOrEnvironment() {
    assertThat(parse(Map.of("SSEHUB_MAX_TOTAL_PENDING_BYTES", "512MiB")).maxTotalPendingBytes)
        .isEqualTo(512L << 20);
    assertThat(parse(Map.of(), "--max-total-pending-bytes", "1g").maxTotalPendingBytes)
        .isEqualTo(1L << 30);
  }

  @Test
  void fanOutDelayByFlagOrEnvironmentAndZeroForNoLimit() {
    assertThat(parse(Map.of("SSEHUB_MAX_FANOUT_DELAY", "250ms")).maxFanOutDelay)
        .isEqualTo(Duration.ofMillis(250));
    assertThat(parse(Map.of(), "--max-fanout-delay", "0").maxFanOutDelay).isZero();
  }

  @Test
  void ioThreadsByFlagOrEnvironment() {
    assertThat(parse(Map.of("SSEHUB_IO_THREADS", "3")).ioThreads).isEqualTo(3);
    assertThat(parse(Map.of("SSEHUB_IO_THREADS", "3"), "--io-threads", "1").ioThreads).isEqualTo(1);
  }

  @Test
  void badIoThreadsExitTwoNamingTheFlag() {
    assertBad("--io-threads", "-1");
    assertBad("--io-threads", "two");
  }

  @Test
  void helpListsEveryFlagWithItsVariableAndExitsZero() {
    StringWriter out = new StringWriter();
    CommandLine cmd = Main.commandLine(Map.of());
    cmd.setOut(new PrintWriter(out));
    assertThat(cmd.execute("--help")).isZero();
    for (String flag : FLAGS) {
      String variable = "SSEHUB_" + flag.substring(2).replace('-', '_').toUpperCase();
      assertThat(out.toString()).contains(flag).contains(variable);
    }
  }

  @Test
  void badPortExitsTwoNamingTheFlag() {
    assertBad("--port", "abc");
    assertBad("--port", "70000");
  }

  @Test
  void badEnvironmentValueExitsTwoNamingTheFlag() {
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine(Map.of("SSEHUB_PORT", "abc"));
    cmd.setErr(new PrintWriter(err));
    assertThat(cmd.execute()).isEqualTo(2);
    assertThat(err.toString()).contains("--port").contains("abc");
  }

  @Test
  void badDurationsAndSizesExitTwoNamingTheFlag() {
    assertBad("--keepalive", "5 parsecs");
    assertBad("--keepalive", "-1s");
    assertBad("--history-ttl", "0");
    assertBad("--reconnect-delay", "soon");
    assertBad("--max-event-bytes", "0");
    assertBad("--max-event-bytes", "3GiB");
    assertBad("--max-pending-bytes", "lots");
    assertBad("--max-total-pending-bytes", "0");
    assertBad("--max-total-pending-bytes", "most");
    assertBad("--history-size", "-5");
    assertBad("--history-max-bytes", "0");
    assertBad("--history-max-bytes", "plenty");
    assertBad("--history-max-total-bytes", "0");
    assertBad("--history-max-total-bytes", "-1MiB");
    assertBad("--max-fanout-delay", "-1s");
    assertBad("--max-fanout-delay", "a while");
  }

  @Test
  void unknownFlagExitsTwo() {
    assertBad("--colour", "blue");
  }

  private static void assertBad(String flag, String value) {
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine(Map.of());
    cmd.setErr(new PrintWriter(err));
    assertThat(cmd.execute(flag, value)).as("%s %s", flag, value).isEqualTo(2);
    assertThat(err.toString())
        .as("message for %s %s", flag, value)
        .contains(flag)
        .contains("ssehub --help");
  }

  private static Main parse(Map<String, String> env, String... args) {
    CommandLine cmd = Main.commandLine(env);
    cmd.parseArgs(args);
    return cmd.getCommand();
  }

  @Test
  void mercureIsOnByDefaultAndTurnsOffByFlagOrEnvironment() {
    Main main = parse(Map.of());
    assertThat(main.mercure).isTrue();
    assertThat(main.mercureSubscriptions).isFalse();
    assertThat(main.mercureCookie).isEqualTo("mercureAuthorization");
    assertThat(parse(Map.of("SSEHUB_MERCURE", "false")).mercure).isFalse();
    assertThat(parse(Map.of("SSEHUB_MERCURE_SUBSCRIPTIONS", "true")).mercureSubscriptions).isTrue();
  }
}

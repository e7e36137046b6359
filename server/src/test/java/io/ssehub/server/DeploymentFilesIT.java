package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.server.internal.EnvironmentDefaults;
import io.ssehub.server.internal.Units;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code deploy/} agrees with the hub it runs: every {@code SSEHUB_*} variable in the compose file,
 * the Dockerfile and the systemd unit is a real flag (read from the command's own picocli spec),
 * the jar the Dockerfile copies is the one {@code mvn package} builds (this runs after package),
 * ports and health checks line up, and nginx is set up for streams. The tools that validate these
 * files ({@code docker compose config}, {@code hadolint}, {@code nginx -t}, {@code systemd-analyze
 * verify}) run when installed; when one is not, the test says so in its output and checks what it
 * can by reading the files.
 */
class DeploymentFilesIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

  /** The environment variable of every flag of {@code bin/ssehub}. */
  private static final Set<String> FLAG_VARIABLES =
      Main.commandLine(Map.of()).getCommandSpec().options().stream()
          .filter(option -> !option.usageHelp() && !option.versionHelp())
          .map(OptionSpec::longestName)
          .map(EnvironmentDefaults::variableFor)
          .collect(Collectors.toUnmodifiableSet());

  // ---- docker-compose.yml

  @Test
  void everyVariableTheComposeFileGivesAHubIsAFlag() {
    for (String hub : List.of("hub1", "hub2")) {
      Map<String, Object> environment = environmentOf(service(hub));
      assertThat(environment.keySet())
          .as(hub)
          .isNotEmpty()
          .allSatisfy(
              name -> assertThat(FLAG_VARIABLES).as("%s sets %s", hub, name).contains(name));
    }
    assertThat(FLAG_VARIABLES)
        .as("read from picocli, not a list of our own")
        .contains("SSEHUB_UI", "SSEHUB_REDIS_URL");
  }

  @Test
  void composeRunsTwoHubsOnOneRedisBehindTheLoadBalancer() {
    Map<String, Object> services = map(compose().get("services"));
    assertThat(services).containsOnlyKeys("redis", "hub1", "hub2", "lb");
    assertThat(environmentOf(service("hub1"))).isEqualTo(environmentOf(service("hub2")));

    for (String hub : List.of("hub1", "hub2")) {
      Map<String, Object> service = service(hub);
      URI redis = URI.create(String.valueOf(environmentOf(service).get("SSEHUB_REDIS_URL")));
      assertThat(redis.getHost()).as("%s's Redis is the compose service", hub).isEqualTo("redis");
      assertThat(redis.getPort()).isEqualTo(6379);
      assertThat(map(map(service.get("depends_on")).get("redis")))
          .containsEntry("condition", "service_healthy");

      Map<String, Object> build = map(service.get("build"));
      assertThat(DEPLOY.resolve(String.valueOf(build.get("context"))).normalize()).isEqualTo(ROOT);
      assertThat(ROOT.resolve(String.valueOf(build.get("dockerfile"))))
          .isEqualTo(DEPLOY.resolve("Dockerfile"));

      // docker stop waits this long before SIGKILL: it must cover the drain.
      Duration grace = Units.parseDuration(String.valueOf(service.get("stop_grace_period")));
      Duration drain =
          Units.parseDuration(String.valueOf(environmentOf(service).get("SSEHUB_DRAIN")));
      assertThat(grace)
          .as("%s's stop_grace_period against its drain", hub)
          .isGreaterThan(drain.plusSeconds(5));
      assertThat(map(map(service.get("ulimits")).get("nofile"))).containsEntry("hard", 65536);
    }

    Map<String, Object> lb = service("lb");
    assertThat(list(lb.get("ports"))).containsExactly("8080:80");
    assertThat(nginx()).contains("listen 80;");
    assertThat(list(lb.get("volumes"))).containsExactly("./nginx.conf:/etc/nginx/nginx.conf:ro");
    Map<String, Object> dependsOn = map(lb.get("depends_on"));
    assertThat(dependsOn).containsOnlyKeys("hub1", "hub2");
    dependsOn
        .values()
        .forEach(
            condition ->
                assertThat(map(condition))
                    .as("nginx resolves the hubs at start: they must be up")
                    .containsEntry("condition", "service_healthy"));
  }

  @Test
  void dockerComposeAcceptsTheFileWhereInstalled() {
    if (!tool(List.of("docker", "compose", "version"))) {
      System.out.println(
          "[deploy] docker compose is not installed: `docker compose config` skipped;"
              + " docker-compose.yml was checked by reading it");
      return;
    }
    ProcessBuilder config =
        new ProcessBuilder(
            "docker",
            "compose",
            "-f",
            DEPLOY.resolve("docker-compose.yml").toString(),
            "config",
            "--quiet");
    config.environment().put("SSEHUB_JWT_SECRET", "a-secret-of-at-least-32-bytes-for-the-check");
    Result result = run(config);
    assertThat(result.exit()).as("docker compose config:\n%s", result.output()).isZero();
  }

  // ---- nginx.conf

  @Test
  void nginxSendsStreamsUnbufferedToBothHubs() {
    String conf = nginx();
    Matcher servers = Pattern.compile("(?m)^\\s*server\\s+([\\w.-]+):(\\d+)").matcher(conf);
    List<String> upstreams = new ArrayList<>();
    while (servers.find()) {
      upstreams.add(servers.group(1) + ":" + servers.group(2));
    }
    String hubPort = String.valueOf(dockerfileEnv().get("SSEHUB_PORT"));
    assertThat(upstreams).containsExactly("hub1:" + hubPort, "hub2:" + hubPort);
    assertThat(directives(conf))
        .contains(
            "proxy_pass http://ssehub",
            "proxy_http_version 1.1",
            "proxy_set_header Connection \"\"",
            "proxy_buffering off");
    // Idle streams get a comment every --keepalive (15 s): the read timeout must be far longer.
    Duration keepalive = Units.parseDuration(defaultOf("--keepalive"));
    String readTimeout =
        directives(conf).stream()
            .filter(d -> d.startsWith("proxy_read_timeout "))
            .findFirst()
            .orElseThrow();
    assertThat(Units.parseDuration(readTimeout.substring("proxy_read_timeout ".length())))
        .isGreaterThan(keepalive.multipliedBy(4));
  }

  @Test
  void nginxAcceptsTheConfigWhereInstalled() throws IOException {
    Path nginx = executable("nginx");
    if (nginx == null) {
      System.out.println(
          "[deploy] nginx is not installed: `nginx -t` skipped; nginx.conf was checked by reading it");
      return;
    }
    // The hubs' names exist only inside compose's network: map them to loopback addresses, as its
    // DNS would.
    Path prefix = Files.createTempDirectory("ssehub-nginx");
    try {
      String conf =
          nginx()
              .replace("server hub1:", "server 127.0.0.1:")
              .replace("server hub2:", "server 127.0.0.2:");
      Path file = Files.writeString(prefix.resolve("nginx.conf"), conf);
      Result result =
          run(
              new ProcessBuilder(
                  nginx.toString(),
                  "-t",
                  "-p",
                  prefix.toString(),
                  "-c",
                  file.toString(),
                  "-g",
                  "pid " + prefix.resolve("nginx.pid") + "; error_log stderr;"));
      assertThat(result.exit()).as("nginx -t:\n%s", result.output()).isZero();
      assertThat(result.output()).contains("test is successful");
    } finally {
      try (Stream<Path> files = Files.walk(prefix)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  // ---- Dockerfile

  @Test
  void theDockerfileCopiesTheJarThatPackageBuilds() throws IOException {
    List<String> instructions = dockerfile();
    String buildStage =
        instructions.stream()
            .filter(i -> i.matches("FROM \\S+ AS \\w+"))
            .findFirst()
            .orElseThrow()
            .replaceFirst(".* AS ", "");
    String workdir =
        instructions.stream()
            .filter(i -> i.startsWith("WORKDIR "))
            .findFirst()
            .orElseThrow()
            .substring(8);
    String copy =
        instructions.stream()
            .filter(i -> i.startsWith("COPY --from=" + buildStage + " "))
            .findFirst()
            .orElseThrow();
    String[] parts = copy.split("\\s+");
    String source = parts[2];
    String target = parts[3];
    assertThat(source).startsWith(workdir + "/");

    // What the build stage holds at that path is the repository's own build output: match the glob
    // on it.
    String inRepository = source.substring(workdir.length() + 1);
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + inRepository);
    List<Path> jars;
    try (Stream<Path> files = Files.list(ROOT.resolve("server/target"))) {
      jars = files.map(ROOT::relativize).filter(matcher::matches).toList();
    }
    assertThat(jars).as("%s in server/target after package", inRepository).hasSize(1);
    assertThat(jars.get(0).getFileName().toString()).endsWith("-all.jar");

    String entrypoint =
        instructions.stream().filter(i -> i.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
    assertThat(entrypoint)
        .as("exec form, so that java is PID 1 and gets SIGTERM")
        .isEqualTo("ENTRYPOINT [\"java\", \"-jar\", \"" + target + "\"]");
    String buildCommand =
        instructions.stream()
            .filter(i -> i.startsWith("RUN ") && i.contains("mvn "))
            .findFirst()
            .orElseThrow();
    assertThat(buildCommand).contains("-pl server -am package");
  }

  @Test
  void theImageRunsUnprivilegedOnItsExposedPortWithAReadinessCheck() {
    List<String> instructions = dockerfile();
    String user =
        instructions.stream()
            .filter(i -> i.startsWith("USER "))
            .reduce((a, b) -> b)
            .orElseThrow()
            .substring(5);
    assertThat(user).isNotIn("root", "0");
    Map<String, String> env = dockerfileEnv();
    assertThat(env.keySet())
        .filteredOn(name -> name.startsWith("SSEHUB_"))
        .allSatisfy(
            name -> assertThat(FLAG_VARIABLES).as("the Dockerfile sets %s", name).contains(name));
    assertThat(instructions).contains("EXPOSE " + env.get("SSEHUB_PORT"));
    assertThat(env.get("SSEHUB_PORT")).isEqualTo(defaultOf("--port"));
    String healthcheck =
        instructions.stream().filter(i -> i.startsWith("HEALTHCHECK ")).findFirst().orElseThrow();
    assertThat(healthcheck)
        .contains("/health/ready")
        .contains("${SSEHUB_PORT}")
        .contains("' 200 '");
    assertThat(instructions).contains("STOPSIGNAL SIGTERM");
  }

  @Test
  void hadolintAcceptsTheDockerfileWhereInstalled() {
    Path hadolint = executable("hadolint");
    if (hadolint == null) {
      System.out.println(
          "[deploy] hadolint is not installed: Dockerfile lint skipped; the Dockerfile was checked by reading it");
      return;
    }
    Result result =
        run(new ProcessBuilder(hadolint.toString(), DEPLOY.resolve("Dockerfile").toString()));
    assertThat(result.exit()).as("hadolint:\n%s", result.output()).isZero();
  }

  // ---- ssehub.service

  @Test
  void theSystemdUnitSetsRealFlagsRunsUnprivilegedAndStopsAfterTheDrain() {
    Map<String, List<String>> unit = systemdUnit();
    Map<String, String> environment = new LinkedHashMap<>();
    for (String line : unit.getOrDefault("Environment", List.of())) {
      String assignment =
          line.startsWith("\"") && line.endsWith("\"")
              ? line.substring(1, line.length() - 1)
              : line;
      int equals = assignment.indexOf('=');
      environment.put(assignment.substring(0, equals), assignment.substring(equals + 1));
    }
    assertThat(environment.keySet())
        .filteredOn(name -> name.startsWith("SSEHUB_"))
        .isNotEmpty()
        .allSatisfy(
            name -> assertThat(FLAG_VARIABLES).as("ssehub.service sets %s", name).contains(name));
    assertThat(unit.get("User")).singleElement().isNotIn("root", "0");
    assertThat(unit.get("KillSignal")).containsExactly("SIGTERM");
    assertThat(unit.get("Restart")).containsExactly("on-failure");
    assertThat(Long.parseLong(unit.get("LimitNOFILE").get(0))).isGreaterThanOrEqualTo(65536);
    Duration drain = Units.parseDuration(environment.get("SSEHUB_DRAIN"));
    assertThat(Units.parseDuration(unit.get("TimeoutStopSec").get(0)))
        .isGreaterThan(drain.plusSeconds(5));
    assertThat(unit.get("ExecStart"))
        .singleElement()
        .asString()
        .endsWith("-jar /opt/ssehub/ssehub.jar");
  }

  @Test
  void theImageAndTheUnitStartTheJvmWithTheLaunchersMemoryFlags() {
    Matcher defaults =
        Pattern.compile("(?m)^default_java_opts=\"([^\"]+)\"$")
            .matcher(read(ROOT.resolve("bin/ssehub")));
    assertThat(defaults.find()).as("bin/ssehub sets default_java_opts").isTrue();
    List<String> flags = List.of(defaults.group(1).split(" "));
    assertThat(flags).isNotEmpty().allSatisfy(flag -> assertThat(flag).startsWith("-XX:"));
    assertThat(List.of(dockerfileEnv().get("JAVA_TOOL_OPTIONS").split(" ")))
        .as("the Dockerfile")
        .containsAll(flags);
    String unitOptions =
        systemdUnit().get("Environment").stream()
            .map(line -> line.replace("\"", ""))
            .filter(line -> line.startsWith("JAVA_TOOL_OPTIONS="))
            .findFirst()
            .orElseThrow()
            .substring("JAVA_TOOL_OPTIONS=".length());
    assertThat(List.of(unitOptions.split(" "))).as("ssehub.service").containsAll(flags);
  }

  @Test
  void systemdAcceptsTheUnitWhereInstalled() {
    Path analyze = executable("systemd-analyze");
    if (analyze == null) {
      System.out.println(
          "[deploy] systemd-analyze is not installed: `systemd-analyze verify` skipped");
      return;
    }
    Result result =
        run(
            new ProcessBuilder(
                analyze.toString(), "verify", DEPLOY.resolve("ssehub.service").toString()));
    // It warns and goes on about keys it does not know or cannot parse: any word from it is a
    // failure here,
    // except a java that this machine keeps elsewhere than the unit's /usr/bin/java.
    List<String> complaints =
        result
            .output()
            .lines()
            .filter(line -> !line.isBlank())
            .filter(line -> !(line.contains("/usr/bin/java") && line.contains("is not executable")))
            .toList();
    assertThat(complaints).as("systemd-analyze verify:\n%s", result.output()).isEmpty();
    if (result.exit() != 0) {
      assertThat(result.output()).contains("/usr/bin/java");
      System.out.println(
          "[deploy] systemd-analyze verify: only /usr/bin/java is missing on this machine");
    }
  }

  // ---- reading the files

  private static Map<String, Object> compose() {
    return map(new Yaml().load(read(DEPLOY.resolve("docker-compose.yml"))));
  }

  private static Map<String, Object> service(String name) {
    Map<String, Object> service = map(map(compose().get("services")).get(name));
    assertThat(service).as("service %s", name).isNotNull();
    return service;
  }

  private static Map<String, Object> environmentOf(Map<String, Object> service) {
    return map(service.get("environment"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return (List<Object>) value;
  }

  private static String nginx() {
    return read(DEPLOY.resolve("nginx.conf"));
  }

  /** nginx's directives, comments dropped and whitespace collapsed, without their semicolons. */
  private static List<String> directives(String conf) {
    return conf.lines()
        .map(line -> line.replaceFirst("#.*", "").strip().replaceAll("\\s+", " "))
        .filter(line -> line.endsWith(";"))
        .map(line -> line.substring(0, line.length() - 1))
        .toList();
  }

  /** The Dockerfile's instructions, one a line: continuations joined, comments dropped. */
  private static List<String> dockerfile() {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : read(DEPLOY.resolve("Dockerfile")).lines().toList()) {
      String stripped = line.strip();
      if (stripped.startsWith("#") || stripped.isEmpty()) {
        continue;
      }
      boolean continues = stripped.endsWith("\\");
      current
          .append(current.length() > 0 ? " " : "")
          .append(continues ? stripped.substring(0, stripped.length() - 1).strip() : stripped);
      if (!continues) {
        instructions.add(current.toString());
        current.setLength(0);
      }
    }
    return instructions;
  }

  /** The runtime stage's {@code ENV NAME=value ...} settings. */
  private static Map<String, String> dockerfileEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    Matcher pair = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)").matcher("");
    dockerfile().stream()
        .filter(i -> i.startsWith("ENV "))
        .forEach(
            instruction -> {
              pair.reset(instruction.substring(4));
              while (pair.find()) {
                env.put(pair.group(1), pair.group(2).replace("\"", ""));
              }
            });
    return env;
  }

  /** A systemd unit's settings by key, in order; a key may repeat ({@code Environment=}). */
  private static Map<String, List<String>> systemdUnit() {
    Map<String, List<String>> settings = new LinkedHashMap<>();
    for (String line : read(DEPLOY.resolve("ssehub.service")).lines().toList()) {
      String stripped = line.strip();
      if (stripped.isEmpty() || stripped.startsWith("#") || stripped.startsWith("[")) {
        continue;
      }
      int equals = stripped.indexOf('=');
      settings
          .computeIfAbsent(stripped.substring(0, equals), k -> new ArrayList<>())
          .add(stripped.substring(equals + 1));
    }
    return settings;
  }

  private static String defaultOf(String flag) {
    return Main.commandLine(Map.of()).getCommandSpec().findOption(flag).defaultValue();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- running the tools

  private record Result(int exit, String output) {}

  private static Path executable(String name) {
    for (String directory :
        System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(directory, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    for (String directory : List.of("/usr/sbin", "/sbin")) { // nginx lives here, off a user's PATH
      Path candidate = Path.of(directory, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** Whether the command exists and succeeds (a docker without its compose plugin does not). */
  private static boolean tool(List<String> command) {
    return executable(command.get(0)) != null && run(new ProcessBuilder(command)).exit() == 0;
  }

  private static Result run(ProcessBuilder builder) {
    builder.redirectErrorStream(true).directory(ROOT.toFile());
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      // The output is small; read it to the end (which the exit closes), bounded by the wait below.
      java.util.concurrent.CompletableFuture<String> output =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new String(
                      process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      if (!process.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(builder.command() + " did not finish within " + TOOL_TIMEOUT);
      }
      return new Result(
          process.exitValue(), output.get(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError(builder.command() + ": output not read", e);
    }
  }
}

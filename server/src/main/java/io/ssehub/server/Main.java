package io.ssehub.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ssehub.core.Broker;
import io.ssehub.core.ChannelPattern;
import io.ssehub.core.GrantAuthorizer;
import io.ssehub.core.InvalidInputException;
import io.ssehub.core.MemoryBroker;
import io.ssehub.core.SseHub;
import io.ssehub.http.CorsPolicy;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.metrics.HubMetrics;
import io.ssehub.redis.RedisBroker;
import io.ssehub.redis.RedisUnavailableException;
import io.ssehub.server.internal.ConfigFile;
import io.ssehub.server.internal.EnvironmentDefaults;
import io.ssehub.server.internal.LayeredDefaults;
import io.ssehub.server.internal.LogFormat;
import io.ssehub.server.internal.Tls;
import io.ssehub.server.internal.Units;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code bin/ssehub}: the standalone hub from the command line. Every flag can also be set with an
 * environment variable named {@code SSEHUB_} and the flag in upper snake case ({@code --port}:
 * {@code SSEHUB_PORT}), and in a {@code --config} file of Java properties ({@code port=8080}): flag
 * beats variable, variable beats file, file beats default.
 *
 * <p>Exit codes: 0 after a clean stop (SIGTERM or SIGINT: every stream is ended first), 1 when the
 * server cannot start, 2 for bad flags.
 */
@Command(
    name = "ssehub",
    mixinStandardHelpOptions = true,
    version = "ssehub 0.1.0-SNAPSHOT",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description =
        "An HTML5 Server-Sent Events hub: GET /stream?channel=NAME streams events,"
            + " POST /publish sends them, GET /health reports, / is a demo page.",
    footer = {
      "",
      "Every flag can be set with an environment variable: SSEHUB_ and the flag in upper snake case"
          + " (--max-event-bytes: SSEHUB_MAX_EVENT_BYTES), and in a --config file (Java properties, the flag"
          + " without dashes as key: max-event-bytes=64k). Flag > variable > file > default.",
      "Durations: " + Units.DURATION_FORMS + "; sizes: " + Units.SIZE_FORMS + "."
    })
public final class Main implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = SseHubServer.DEFAULT_HOST,
      description = "Address to listen on (default: ${DEFAULT-VALUE}; env: SSEHUB_HOST).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      converter = PortConverter.class,
      description =
          "Port to listen on, 0 for any free port (default: ${DEFAULT-VALUE}; env: SSEHUB_PORT).")
  int port;

  @Option(
      names = "--keepalive",
      paramLabel = "DURATION",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description =
          "Send a comment to streams idle this long; 0 turns keepalives off"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_KEEPALIVE).")
  Duration keepalive;

  @Option(
      names = "--max-event-bytes",
      paramLabel = "SIZE",
      defaultValue = "1048576",
      converter = EventSizeConverter.class,
      description =
          "Largest event accepted, encoded; larger publishes get 413"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_MAX_EVENT_BYTES).")
  long maxEventBytes;

  @Option(
      names = "--max-pending-bytes",
      paramLabel = "SIZE",
      defaultValue = "4194304",
      converter = SizeConverter.class,
      description =
          "Bytes that may wait for a slow client before its stream is cut; it resumes by id"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_MAX_PENDING_BYTES).")
  long maxPendingBytes;

  @Option(
      names = "--max-total-pending-bytes",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description =
          "Bytes that may wait for all clients of this node together; past it the streams furthest behind are"
              + " cut (they resume by id). Bounds the node also when other nodes publish faster than it writes"
              + " (default: a quarter of the JVM's maximum heap; env: SSEHUB_MAX_TOTAL_PENDING_BYTES).")
  Long maxTotalPendingBytes;

  @Option(
      names = "--history-size",
      paramLabel = "COUNT",
      defaultValue = "1000",
      converter = CountConverter.class,
      description =
          "Events kept per channel for clients that resume; 0 keeps none"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_HISTORY_SIZE).")
  int historySize;

  @Option(
      names = "--history-max-bytes",
      paramLabel = "SIZE",
      defaultValue = "67108864",
      converter = SizeConverter.class,
      description =
          "Bytes of one channel's history; past it the oldest events leave first"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_HISTORY_MAX_BYTES).")
  long historyMaxBytes;

  @Option(
      names = "--history-max-total-bytes",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description =
          "Bytes of all channels' history together, in memory (without Redis); past it the oldest events of"
              + " any channel leave first (default: an eighth of the JVM's maximum heap; env: SSEHUB_HISTORY_MAX_TOTAL_BYTES).")
  Long historyMaxTotalBytes;

  @Option(
      names = "--history-ttl",
      paramLabel = "DURATION",
      defaultValue = "1h",
      converter = PositiveDurationConverter.class,
      description =
          "How long an event stays in history (default: ${DEFAULT-VALUE}; env: SSEHUB_HISTORY_TTL).")
  Duration historyTtl;

  @Option(
      names = "--reconnect-delay",
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = DurationConverter.class,
      description =
          "Reconnection time sent to clients (the first retry: line)"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_RECONNECT_DELAY).")
  Duration reconnectDelay;

  @Option(
      names = "--drain",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "On SIGTERM: readiness turns false, then streams end spread over this long, so that clients"
              + " reconnect to other nodes without a thundering herd; 0 ends them at once"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_DRAIN).")
  Duration drain;

  @Option(
      names = {"--redis", "--redis-url"},
      paramLabel = "URL",
      description =
          "Run on Redis: redis://[user:password@]host:port/db, rediss:// (TLS),"
              + " redis-sentinel://host:port#master, or redis-cluster://host:port,host:port."
              + " Without it (and without flask-sse's SSE_REDIS_URL or SSE_REDIS_HOST/PORT/DB) the hub runs in memory"
              + " (env: SSEHUB_REDIS_URL).")
  String redisUrl;

  @Option(
      names = "--redis-cluster",
      paramLabel = "HOST:PORT",
      split = ",",
      description =
          "Run on a Redis Cluster through these seed nodes, comma-separated (env: SSEHUB_REDIS_CLUSTER).")
  List<String> redisCluster;

  @Option(
      names = "--redis-prefix",
      paramLabel = "PREFIX",
      defaultValue = "",
      description =
          "Put in front of each channel's Redis name with a '|' (app: makes channel x the Redis channel"
              + " app:|x), for a Redis shared with other apps or hubs; flask-sse apps must then use the prefixed names"
              + " (default: none; env: SSEHUB_REDIS_PREFIX).")
  String redisPrefix;

  @Option(
      names = "--redis-wait",
      paramLabel = "DURATION",
      defaultValue = "0",
      converter = DurationConverter.class,
      description =
          "At start-up, keep trying to reach Redis this long instead of failing at once"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_REDIS_WAIT).")
  Duration redisWait;

  @Option(
      names = "--redis-classic-pubsub",
      paramLabel = "BOOLEAN",
      defaultValue = "false",
      arity = "0..1",
      description =
          "On a cluster, use PUBLISH/SUBSCRIBE instead of sharded SPUBLISH/SSUBSCRIBE, so that flask-sse apps"
              + " publishing with PUBLISH are heard (default: ${DEFAULT-VALUE}; env: SSEHUB_REDIS_CLASSIC_PUBSUB).")
  boolean redisClassicPubSub;

  @Option(
      names = "--jwt-secret",
      paramLabel = "SECRET",
      description =
          "Require tokens signed with HS256 and this secret (at least 32 bytes); prefer the variable,"
              + " which ps does not show (env: SSEHUB_JWT_SECRET).")
  String jwtSecret;

  @Option(
      names = "--jwt-public-key",
      paramLabel = "FILE",
      description =
          "Require tokens signed with the private half of this PEM public key: RSA (RS256/384/512) or EC"
              + " (ES256/384/512) (env: SSEHUB_JWT_PUBLIC_KEY).")
  Path jwtPublicKey;

  @Option(
      names = "--jwks",
      paramLabel = "FILE",
      description =
          "Require tokens signed with a key of this JSON Web Key Set file, picked by kid (env: SSEHUB_JWKS).")
  Path jwks;

  @Option(
      names = "--jwt-cookie",
      paramLabel = "NAME",
      defaultValue = JwtAuthenticator.DEFAULT_COOKIE,
      description =
          "The cookie that may carry the token; after Authorization: Bearer, before ?token="
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_JWT_COOKIE).")
  String jwtCookie;

  @Option(
      names = "--jwt-clock-skew",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "Slack on a token's exp and nbf (default: ${DEFAULT-VALUE}; env: SSEHUB_JWT_CLOCK_SKEW).")
  Duration jwtClockSkew;

  @Option(
      names = "--public-channels",
      paramLabel = "PATTERN",
      split = ",",
      description =
          "With a JWT key, channels anyone may subscribe to without a token, comma-separated, * for any run"
              + " (env: SSEHUB_PUBLIC_CHANNELS).")
  List<String> publicChannels;

  @Option(
      names = "--allow-anonymous-publish",
      paramLabel = "BOOLEAN",
      defaultValue = "false",
      arity = "0..1",
      description =
          "Let anyone publish to any channel without a token, from any address; by default anonymous"
              + " publishes come from loopback only (default: ${DEFAULT-VALUE}; env: SSEHUB_ALLOW_ANONYMOUS_PUBLISH).")
  boolean allowAnonymousPublish;

  @Option(
      names = "--cors-origin",
      paramLabel = "ORIGIN",
      split = ",",
      description =
          "Let pages of this origin (scheme://host[:port], repeatable or comma-separated) call the hub with"
              + " credentials; * lets any origin call without credentials (default: none; env: SSEHUB_CORS_ORIGIN).")
  List<String> corsOrigins;

  @Option(
      names = "--mercure",
      paramLabel = "BOOLEAN",
      defaultValue = "true",
      arity = "0..1",
      description =
          "Serve the Mercure protocol at /.well-known/mercure, on the same hub and broker"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_MERCURE).")
  boolean mercure;

  @Option(
      names = "--mercure-publisher-jwt-secret",
      paramLabel = "SECRET",
      description =
          "Mercure publishers' tokens are HS256 with this secret, instead of the --jwt-* key"
              + " (env: SSEHUB_MERCURE_PUBLISHER_JWT_SECRET).")
  String mercurePublisherJwtSecret;

  @Option(
      names = "--mercure-publisher-jwt-public-key",
      paramLabel = "FILE",
      description =
          "Mercure publishers' tokens are signed with the private half of this PEM key (RS*/ES*)"
              + " (env: SSEHUB_MERCURE_PUBLISHER_JWT_PUBLIC_KEY).")
  Path mercurePublisherJwtPublicKey;

  @Option(
      names = "--mercure-subscriber-jwt-secret",
      paramLabel = "SECRET",
      description =
          "Mercure subscribers' tokens are HS256 with this secret, instead of the --jwt-* key"
              + " (env: SSEHUB_MERCURE_SUBSCRIBER_JWT_SECRET).")
  String mercureSubscriberJwtSecret;

  @Option(
      names = "--mercure-subscriber-jwt-public-key",
      paramLabel = "FILE",
      description =
          "Mercure subscribers' tokens are signed with the private half of this PEM key (RS*/ES*)"
              + " (env: SSEHUB_MERCURE_SUBSCRIBER_JWT_PUBLIC_KEY).")
  Path mercureSubscriberJwtPublicKey;

  @Option(
      names = "--mercure-subscriptions",
      paramLabel = "BOOLEAN",
      defaultValue = "false",
      arity = "0..1",
      description =
          "Publish Mercure subscription events and serve /.well-known/mercure/subscriptions"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_MERCURE_SUBSCRIPTIONS).")
  boolean mercureSubscriptions;

  @Option(
      names = "--mercure-cookie",
      paramLabel = "NAME",
      defaultValue = "mercureAuthorization",
      description =
          "The cookie that may carry a Mercure token (default: ${DEFAULT-VALUE}; env: SSEHUB_MERCURE_COOKIE).")
  String mercureCookie;

  @Option(
      names = "--max-connections",
      paramLabel = "COUNT",
      defaultValue = "10000",
      converter = CountConverter.class,
      description =
          "Open connections in all; over it streams are told to retry later, other requests get 503;"
              + " 0 for no limit (default: ${DEFAULT-VALUE}; env: SSEHUB_MAX_CONNECTIONS).")
  int maxConnections;

  @Option(
      names = "--max-connections-per-ip",
      paramLabel = "COUNT",
      defaultValue = "0",
      converter = CountConverter.class,
      description =
          "Open connections per client address; over it streams are told to retry later, other requests"
              + " get 429; 0 for no limit, behind a proxy all clients share its address"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_MAX_CONNECTIONS_PER_IP).")
  int maxConnectionsPerIp;

  @Option(
      names = "--max-channels-per-stream",
      paramLabel = "COUNT",
      defaultValue = "64",
      converter = CountConverter.class,
      description =
          "Channels one stream may read; more is a 400 (default: ${DEFAULT-VALUE}; env: SSEHUB_MAX_CHANNELS_PER_STREAM).")
  int maxChannelsPerStream;

  @Option(
      names = "--max-header-bytes",
      paramLabel = "SIZE",
      defaultValue = "16384",
      converter = SizeConverter.class,
      description =
          "Request headers' total size; over it, 431 (default: ${DEFAULT-VALUE}; env: SSEHUB_MAX_HEADER_BYTES).")
  long maxHeaderBytes;

  @Option(
      names = "--max-url-bytes",
      paramLabel = "SIZE",
      defaultValue = "8192",
      converter = SizeConverter.class,
      description =
          "Request URL length; over it, 414 (default: ${DEFAULT-VALUE}; env: SSEHUB_MAX_URL_BYTES).")
  long maxUrlBytes;

  @Option(
      names = "--request-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "Time a connection has to send a complete request (and to stay idle between requests);"
              + " slower ones are closed, 0 for no limit (default: ${DEFAULT-VALUE}; env: SSEHUB_REQUEST_TIMEOUT).")
  Duration requestTimeout;

  @Option(
      names = "--max-fanout-backlog",
      paramLabel = "COUNT",
      defaultValue = "200000",
      converter = CountConverter.class,
      description =
          "Deliveries queued on this node and not yet written past which publishes get 503 with"
              + " Retry-After, which bounds how late an accepted event arrives; 0 for no limit"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_MAX_FANOUT_BACKLOG).")
  int maxFanOutBacklog;

  @Option(
      names = "--max-fanout-delay",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description =
          "How far behind this node's event loops may run before publishes get 503 with Retry-After:"
              + " the bound on what the node adds to a delivery for clients that keep up; 0 for no limit"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_MAX_FANOUT_DELAY).")
  Duration maxFanOutDelay;

  @Option(
      names = "--io-threads",
      paramLabel = "COUNT",
      defaultValue = "0",
      converter = CountConverter.class,
      description =
          "Event loops (threads) serving connections; 0 for two per core"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_IO_THREADS).")
  int ioThreads;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "Serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN) with this PEM certificate chain, the server's"
              + " certificate first; needs --tls-key (env: SSEHUB_TLS_CERT).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description =
          "The PEM private key of --tls-cert: unencrypted PKCS#8 (BEGIN PRIVATE KEY), RSA or EC"
              + " (env: SSEHUB_TLS_KEY).")
  Path tlsKey;

  @Option(
      names = ConfigFile.FLAG,
      paramLabel = "FILE",
      description =
          "Read defaults from this Java properties file: the flags without dashes as keys (port=8080,"
              + " redis-url=...); unknown keys and bad values stop start-up (env: SSEHUB_CONFIG).")
  Path config;

  @Option(
      names = "--print-config",
      description =
          "Print the effective configuration (secrets masked) with where each value came from, and exit.")
  boolean printConfig;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "text: one line per log event; json: one JSON object per line, for log shippers"
              + " (default: ${DEFAULT-VALUE}; env: SSEHUB_LOG_FORMAT).")
  LogFormatOption logFormat;

  @Option(
      names = "--ui",
      paramLabel = "BOOLEAN",
      defaultValue = "false",
      arity = "0..1",
      description =
          "Serve the dashboard at /ui (channels, stream counts, events per second, broker state, a publish"
              + " form) to clients that may publish to every channel (default: ${DEFAULT-VALUE}; env: SSEHUB_UI).")
  boolean ui;

  /** The forms of {@code --log-format}. */
  enum LogFormatOption {
    text,
    json
  }

  @Spec CommandSpec spec;

  private final Map<String, String> environment;

  Main(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** Counted down by {@link #stop()}, which the shutdown hook calls. */
  private final CountDownLatch stopped = new CountDownLatch(1);

  private volatile SseHubServer server;

  public static void main(String[] args) {
    System.exit(
        execute(
            System.getenv(),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true),
            args));
  }

  /**
   * Runs the command: reads the {@code --config} file (named by the flag, else {@code
   * SSEHUB_CONFIG}) first, since its values are defaults for the parse. Returns the exit code.
   */
  static int execute(
      Map<String, String> environment, PrintWriter out, PrintWriter err, String... args) {
    CommandLine cmd;
    try {
      cmd = commandLine(environment, args);
    } catch (IllegalArgumentException e) {
      err.println("ssehub: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.USAGE;
    }
    cmd.setOut(out);
    cmd.setErr(err);
    return cmd.execute(args);
  }

  /**
   * The command line with the config file that {@code args} or the environment name as defaults.
   *
   * @throws IllegalArgumentException if the file cannot be read, or holds an unknown key or a bad
   *     value
   */
  static CommandLine commandLine(Map<String, String> environment, String... args) {
    CommandLine cmd = commandLine(environment);
    String path = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(ConfigFile.FLAG) && i + 1 < args.length) {
        path = args[i + 1];
      } else if (args[i].startsWith(ConfigFile.FLAG + "=")) {
        path = args[i].substring(ConfigFile.FLAG.length() + 1);
      } else if (args[i].equals("--")) {
        break;
      }
    }
    if (path == null) {
      String variable = environment.get(EnvironmentDefaults.variableFor(ConfigFile.FLAG));
      path = variable == null || variable.isBlank() ? null : variable.trim();
    }
    if (path != null) {
      ConfigFile file = ConfigFile.read(Path.of(path), cmd.getCommandSpec());
      cmd.setDefaultValueProvider(new LayeredDefaults(new EnvironmentDefaults(environment), file));
    }
    return cmd;
  }

  /** The command line, reading defaults from {@code environment} (no config file); for tests. */
  static CommandLine commandLine(Map<String, String> environment) {
    CommandLine cmd = new CommandLine(new Main(environment));
    cmd.setDefaultValueProvider(new LayeredDefaults(new EnvironmentDefaults(environment), null));
    cmd.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("ssehub: " + ex.getMessage());
          err.println("Try 'ssehub --help' for the flags and their environment variables.");
          return CommandLine.ExitCode.USAGE;
        });
    return cmd;
  }

  @Override
  public Integer call() {
    if (printConfig) {
      printConfig(spec.commandLine().getOut());
      return 0;
    }
    if (logFormat == LogFormatOption.json && !LogFormat.useJson()) {
      log.warn("ssehub: --log-format json ignored: a logging configuration of your own is in use");
    }
    Broker broker;
    try {
      broker = broker();
    } catch (IllegalArgumentException e) {
      log.error("ssehub: bad Redis setting: {}", e.getMessage());
      return CommandLine.ExitCode.USAGE;
    } catch (RedisUnavailableException e) {
      log.error("ssehub: {}", e.getMessage());
      return 1;
    }
    JwtAuthenticator jwt;
    GrantAuthorizer authorizer;
    CorsPolicy cors;
    try {
      jwt = jwtAuthenticator();
      mercureKeys();
      authorizer =
          GrantAuthorizer.builder()
              .tokensRequired(jwt != null)
              .publicChannels(patterns(publicChannels))
              .anonymousPublish(allowAnonymousPublish)
              .build();
      cors = CorsPolicy.of(corsOrigins == null ? List.of() : corsOrigins);
      checkLimits();
      checkTls();
    } catch (IllegalArgumentException | UncheckedIOException e) {
      log.error("ssehub: {}", e.getMessage());
      broker.close();
      return CommandLine.ExitCode.USAGE;
    }
    warnAboutAccess(jwt);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SseHub.Builder hubBuilder =
        SseHub.builder()
            .observer(new HubMetrics(registry))
            .broker(broker)
            .authorizer(authorizer)
            .maxChannelsPerStream(maxChannelsPerStream)
            .keepalive(keepalive)
            .reconnectDelay(reconnectDelay)
            .maxPendingBytes(maxPendingBytes)
            .maxEventBytes(maxEventBytes);
    if (maxTotalPendingBytes != null) {
      hubBuilder.maxTotalPendingBytes(
          maxTotalPendingBytes); // else the hub's default, a quarter of the heap
    }
    SseHub hub = hubBuilder.build();
    SseHubServer started;
    try {
      SseHubServer.Builder builder =
          SseHubServer.builder()
              .host(host)
              .port(port)
              .hub(hub) // which sets the body limit too
              .meterRegistry(registry)
              .cors(cors)
              .maxConnections(maxConnections)
              .maxConnectionsPerIp(maxConnectionsPerIp)
              .maxHeaderBytes((int) maxHeaderBytes)
              .maxUrlBytes((int) maxUrlBytes)
              .requestTimeout(requestTimeout)
              .maxFanOutBacklog(maxFanOutBacklog)
              .ioThreads(ioThreads)
              .maxFanOutDelay(maxFanOutDelay);
      if (jwt != null) {
        builder.jwt(jwt);
      }
      builder.ui(ui);
      mercure(builder);
      if (tlsCert != null) {
        builder.tls(tlsCert, tlsKey);
      }
      started = builder.build().start();
    } catch (UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
      log.error("ssehub: {}", e.getMessage());
      return 1;
    }
    server = started;
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAndHalt, "ssehub-shutdown"));
    log.info(
        "ssehub listening on {}://{}:{} ({}, {} I/O threads; {}), broker: {}",
        started.isTls() ? "https" : "http",
        host,
        started.port(),
        started.transport(),
        started.ioThreads(),
        started.isTls()
            ? "HTTP/2 and HTTP/1.1 by ALPN"
            : "HTTP/1.1 and HTTP/2 with prior knowledge",
        hub.broker().describe());
    if (ui) {
      log.info(
          "ssehub dashboard at {}://{}:{}/ui, for clients that may publish to every channel",
          started.isTls() ? "https" : "http",
          host,
          started.port());
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * The broker the hub runs on: Redis when {@code --redis}, {@code --redis-cluster} or flask-sse's
   * {@code SSE_REDIS_*} variables say so (connected before the server listens, so that a hub that
   * cannot reach Redis fails at start rather than at the first publish), memory otherwise.
   *
   * @throws IllegalArgumentException for unreadable Redis settings
   * @throws RedisUnavailableException when Redis cannot be reached (within {@code --redis-wait})
   */
  Broker broker() {
    RedisBroker.Builder redis;
    if (redisUrl != null && redisCluster != null) {
      throw new IllegalArgumentException(
          "--redis and --redis-cluster are both set (expected: one of them)");
    } else if (redisUrl != null) {
      redis = RedisBroker.builder().uri(redisUrl);
    } else if (redisCluster != null) {
      redis = RedisBroker.builder().cluster(redisCluster);
    } else {
      redis = RedisBroker.fromFlaskSseEnvironment(environment);
    }
    if (redis == null) {
      return new MemoryBroker(
          historySize,
          historyMaxBytes,
          historyMaxTotalBytes != null
              ? historyMaxTotalBytes
              : MemoryBroker.defaultHistoryMaxTotalBytes(),
          historyTtl,
          Clock.systemUTC());
    }
    redis
        .channelPrefix(redisPrefix)
        .historySize(historySize)
        .historyMaxBytes(historyMaxBytes)
        .historyTtl(historyTtl)
        .clientName("ssehub-" + ProcessHandle.current().pid());
    if (redisClassicPubSub) {
      redis.shardedPubSub(false);
    }
    RedisBroker broker = redis.build();
    if (redisWait.isZero()) {
      broker.connect();
    } else {
      broker.connect(redisWait);
    }
    return broker;
  }

  /**
   * The Mercure front door's settings: its own keys when given (else the hub's), anonymous
   * subscribers when {@code --public-channels} holds {@code *} (Mercure's {@code anonymous}),
   * anonymous publishers from anywhere with {@code --allow-anonymous-publish}.
   *
   * @throws IllegalArgumentException for two keys of one role, or a key that cannot be used
   */
  void mercure(SseHubServer.Builder builder) {
    builder
        .mercure(mercure)
        .mercureCookie(mercureCookie)
        .mercureSubscriptions(mercureSubscriptions)
        .mercureAnonymousSubscribers(publicChannels != null && publicChannels.contains("*"))
        .mercureAnonymousPublish(allowAnonymousPublish);
    if (mercurePublisherKey != null) {
      builder.mercurePublisherKey(mercurePublisherKey);
    }
    if (mercureSubscriberKey != null) {
      builder.mercureSubscriberKey(mercureSubscriberKey);
    }
  }

  /**
   * Mercure's own keys, when given; read before the hub starts, so that a bad one stops start-up
   * (exit 2).
   */
  private JwtAuthenticator mercurePublisherKey;

  private JwtAuthenticator mercureSubscriberKey;

  private void mercureKeys() {
    mercurePublisherKey =
        mercureKey("publisher", mercurePublisherJwtSecret, mercurePublisherJwtPublicKey);
    mercureSubscriberKey =
        mercureKey("subscriber", mercureSubscriberJwtSecret, mercureSubscriberJwtPublicKey);
  }

  private JwtAuthenticator mercureKey(String role, String secret, Path publicKey) {
    if (secret != null && publicKey != null) {
      throw new IllegalArgumentException(
          "--mercure-"
              + role
              + "-jwt-secret and --mercure-"
              + role
              + "-jwt-public-key: both given (expected: at most one)");
    }
    if (secret == null && publicKey == null) {
      return null;
    }
    JwtAuthenticator.Builder key =
        secret != null
            ? JwtAuthenticator.hmacSecret(secret.getBytes(StandardCharsets.UTF_8))
            : JwtAuthenticator.publicKeyPem(publicKey);
    return key.cookieName(mercureCookie).clockSkew(jwtClockSkew).build();
  }

  /**
   * The token verifier of the one key flag given, or null without one.
   *
   * @throws IllegalArgumentException for two key flags, or a key that cannot be used
   */
  JwtAuthenticator jwtAuthenticator() {
    int keys =
        (jwtSecret != null ? 1 : 0) + (jwtPublicKey != null ? 1 : 0) + (jwks != null ? 1 : 0);
    if (keys > 1) {
      throw new IllegalArgumentException(
          "--jwt-secret, --jwt-public-key and --jwks: " + keys + " given (expected: at most one)");
    }
    if (keys == 0) {
      return null;
    }
    JwtAuthenticator.Builder builder;
    if (jwtSecret != null) {
      builder = JwtAuthenticator.hmacSecret(jwtSecret.getBytes(StandardCharsets.UTF_8));
    } else if (jwtPublicKey != null) {
      builder = JwtAuthenticator.publicKeyPem(jwtPublicKey);
    } else {
      builder = JwtAuthenticator.jwks(jwks);
    }
    return builder.cookieName(jwtCookie).clockSkew(jwtClockSkew).build();
  }

  private static List<ChannelPattern> patterns(List<String> texts) {
    if (texts == null) {
      return List.of();
    }
    try {
      return texts.stream()
          .map(String::strip)
          .filter(t -> !t.isEmpty())
          .map(ChannelPattern::of)
          .toList();
    } catch (InvalidInputException e) {
      throw new IllegalArgumentException("--public-channels: " + e.getMessage(), e);
    }
  }

  /**
   * Both TLS files or neither, each readable and usable: start-up stops on a bad one, naming its
   * flag.
   *
   * @throws IllegalArgumentException naming the flag and the file
   */
  void checkTls() {
    if (tlsCert == null && tlsKey == null) {
      return;
    }
    if (tlsCert == null || tlsKey == null) {
      throw new IllegalArgumentException(
          (tlsCert == null ? "--tls-key" : "--tls-cert")
              + " given without "
              + (tlsCert == null ? "--tls-cert" : "--tls-key")
              + " (expected: both for HTTPS, or neither for plain HTTP)");
    }
    try {
      Tls.serverContext(
          tlsCert, tlsKey); // read again by the server's builder: a start-up cost only
    } catch (Tls.BadFile e) {
      throw new IllegalArgumentException(
          (e.part() == Tls.Part.CERTIFICATE ? "--tls-cert " : "--tls-key ") + e.getMessage(), e);
    }
  }

  private void checkLimits() {
    if (maxHeaderBytes < 1024 || maxHeaderBytes > 1024 * 1024) {
      throw new IllegalArgumentException(
          "--max-header-bytes: " + maxHeaderBytes + " (expected: 1024 to 1048576)");
    }
    if (maxUrlBytes < 256 || maxUrlBytes > 1024 * 1024) {
      throw new IllegalArgumentException(
          "--max-url-bytes: " + maxUrlBytes + " (expected: 256 to 1048576)");
    }
    if (maxChannelsPerStream < 1) {
      throw new IllegalArgumentException("--max-channels-per-stream: 0 (expected: at least 1)");
    }
  }

  /** Options whose values are never printed: they are, or may hold, secrets. */
  private static final java.util.Set<String> SECRET_OPTIONS =
      java.util.Set.of(
          "--jwt-secret", "--mercure-publisher-jwt-secret", "--mercure-subscriber-jwt-secret");

  /**
   * {@code --print-config}: every setting as {@code key=value} (a valid config file), each after a
   * comment saying where it came from; the JWT secret and Redis passwords masked.
   */
  void printConfig(PrintWriter out) {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    ConfigFile file =
        spec.commandLine().getDefaultValueProvider() instanceof LayeredDefaults layered
            ? layered.file()
            : null;
    out.println(
        "# ssehub effective configuration: flag > environment > config file > default; secrets masked");
    for (OptionSpec option : spec.options()) {
      if (!ConfigFile.settable(option)) {
        continue;
      }
      String name = option.longestName();
      String variable = EnvironmentDefaults.variableFor(name);
      String value;
      String source;
      OptionSpec matched = parsed.matchedOption(name);
      String fromEnvironment = environment.get(variable);
      String fromFile = file != null ? file.value(option) : null;
      if (matched != null) {
        value = String.join(",", matched.originalStringValues());
        source = "flag";
      } else if (fromEnvironment != null && !fromEnvironment.isBlank()) {
        value = fromEnvironment.trim();
        source = "environment " + variable;
      } else if (fromFile != null) {
        value = fromFile;
        source = "config file " + file.path();
      } else {
        value = option.defaultValue() != null ? option.defaultValue() : "";
        source = "default";
      }
      if (value.isEmpty() && source.equals("default")) {
        out.println(
            "# "
                + name.substring(2)
                + "=  (not set)"); // commented out: the file reads back as it is
        continue;
      }
      out.println("# " + source);
      out.println(name.substring(2) + "=" + masked(name, value));
    }
    out.flush();
  }

  private static String masked(String option, String value) {
    if (value.isEmpty()) {
      return value;
    }
    if (SECRET_OPTIONS.contains(option)) {
      return "****";
    }
    if (option.startsWith("--redis")) {
      return RedisBroker.maskPassword(value);
    }
    return value;
  }

  /** Says at start-up who may do what, loudly where it is open. */
  private void warnAboutAccess(JwtAuthenticator jwt) {
    if (jwt != null) {
      log.info(
          "ssehub: tokens required ({}); public channels: {}",
          jwt.algorithms(),
          publicChannels == null || publicChannels.isEmpty() ? "none" : publicChannels);
      if (publicChannels != null && !publicChannels.isEmpty()) {
        log.info("ssehub: anyone may subscribe to {} without a token", publicChannels);
      }
    } else {
      log.warn(
          "ssehub: no JWT key (--jwt-secret, --jwt-public-key or --jwks): anyone may subscribe to any channel");
    }
    if (allowAnonymousPublish) {
      log.warn(
          "ssehub: --allow-anonymous-publish: anyone who reaches this port may publish to any channel");
    } else if (jwt == null) {
      log.warn(
          "ssehub: without a JWT key, publishing is accepted from loopback (127.0.0.1, ::1) only;"
              + " --allow-anonymous-publish opens it to every address");
    }
  }

  /** Ends every stream and stops the server; bounded by the server's shutdown timeout. */
  void stop() {
    SseHubServer current = server;
    if (current != null) {
      if (drain != null && !drain.isZero()) {
        log.info("ssehub draining for {}", drain);
        try {
          current.drain(drain).get(drain.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
          log.warn("ssehub: drain did not finish ({}); closing", e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      current.close();
    }
    stopped.countDown();
  }

  /**
   * The shutdown hook: SIGTERM and SIGINT land here. The JVM would exit with 128 + the signal's
   * number after its hooks, but a stop that ended every stream cleanly is a success, so once the
   * server is closed the hook ends the process with 0 itself.
   */
  private void stopAndHalt() {
    stop();
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(0);
  }

  // ---- converters: each error names the value and the forms accepted; picocli adds the flag

  static final class PortConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int port = Integer.parseInt(value.trim());
        if (port >= 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // the message below says it all
      }
      throw new TypeConversionException("'" + value + "' is not a port (expected: 0 to 65535)");
    }
  }

  static final class CountConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int count = Integer.parseInt(value.trim());
        if (count >= 0) {
          return count;
        }
      } catch (NumberFormatException e) {
        // the message below says it all
      }
      throw new TypeConversionException(
          "'" + value + "' is not a count (expected: a whole number >= 0)");
    }
  }

  static class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration duration;
      try {
        duration = Units.parseDuration(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
      if (duration.isNegative()) {
        throw new TypeConversionException("'" + value + "' is negative (expected: >= 0)");
      }
      return duration;
    }
  }

  static final class PositiveDurationConverter extends DurationConverter {
    @Override
    public Duration convert(String value) {
      Duration duration = super.convert(value);
      if (duration.isZero()) {
        throw new TypeConversionException("'" + value + "' is zero (expected: more than 0)");
      }
      return duration;
    }
  }

  static class SizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      long size;
      try {
        size = Units.parseSize(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
      if (size < 1) {
        throw new TypeConversionException("'" + value + "' is zero (expected: at least 1 byte)");
      }
      return size;
    }
  }

  static final class EventSizeConverter extends SizeConverter {
    private static final long MAX = Integer.MAX_VALUE - SseHubServer.BODY_ALLOWANCE_BYTES;

    @Override
    public Long convert(String value) {
      long size = super.convert(value);
      if (size > MAX) {
        throw new TypeConversionException(
            "'" + value + "' is too large (expected: at most " + MAX + " bytes)");
      }
      return size;
    }
  }
}

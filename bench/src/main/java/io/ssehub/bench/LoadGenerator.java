package io.ssehub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import io.ssehub.core.SseHub;
import io.ssehub.redis.RedisBroker;
import io.ssehub.redis.RedisUnavailableException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load generator: holds SSE streams, publishes over HTTP, and reports what arrived, how late,
 * and what it cost the hub. One run per invocation: a JSON line on stdout (and appended to {@code
 * --out}), a readable table on stderr.
 *
 * <p>A run: open the streams; publish probe events until every stream has received one (so that
 * every stream is live before counting starts); publish measured events for {@code --duration};
 * wait (at most {@code --drain}) until every stream has every acknowledged event; count. The hub's
 * CPU time and the generator's are read over the measured part (publish start to drained).
 */
public final class LoadGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The options; public so that tests can read the defaults. */
  @Command(
      name = "LoadGenerator",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      usageHelpWidth = 110,
      description = {
        "Holds SSE streams of one channel on a hub (ssehub or Nchan), publishes to it over HTTP at a fixed rate or",
        "flat out, and reports deliveries/s, missing and duplicate events, publish-to-receive latency, the hub's CPU",
        "per delivered event and memory per stream, and the generator's own CPU (runs it limits are flagged).",
        "",
        "Open files: every stream is a socket, so each generator process needs",
        "    ulimit -n >= streams per process + publishers + 100",
        "The JVM raises its soft limit to the hard one itself. With this machine's hard limit of 20,000, one process",
        "holds at most ~19,800 streams: --processes K spreads them over K JVMs and merges their results. Past 25,000",
        "streams in all, streams bind source addresses 127.0.0.2, .3, ... (Linux routes 127/8 to lo), since one",
        "source address has ~28,000 ephemeral ports per destination. For 100,000 streams: ulimit -n 120000 (hard)",
        "for hub and generators, sysctl net.core.somaxconn=65535 and net.ipv4.ip_local_port_range='1024 65535'.",
        "",
        "Loopback only (--url in 127.0.0.0/8). Every run is bounded: connect, probe and warm-up timeouts,",
        "--duration, then at most --drain.",
        ""
      },
      footer = {
        "",
        "Example: java -cp bench/target/ssehub-bench-*-all.jar io.ssehub.bench.LoadGenerator \\",
        "  --target ssehub --url http://127.0.0.1:8080 --streams 1000 --rate 200 --duration 10s --hub-pid $(pgrep -f ssehub-server)"
      })
  public static final class Options {
    @Option(
        names = "--target",
        description = "ssehub or nchan: the URL shapes (default ${DEFAULT-VALUE})")
    String target = "ssehub";

    @Option(
        names = "--url",
        description = "the hub's base URL, loopback only (default ${DEFAULT-VALUE})")
    String url = "http://127.0.0.1:8080";

    @Option(
        names = "--channel",
        description =
            "the channel (default: bench-RANDOM, new per run, so that no event of an earlier run is replayed)")
    String channel = "bench-" + Long.toHexString(new java.util.Random().nextLong() & 0xffffffffL);

    @Option(
        names = "--streams",
        description = "streams to hold, over all processes (default ${DEFAULT-VALUE})")
    int streams = 1000;

    @Option(
        names = "--rate",
        description =
            "events per second; 0 = flat out, --publishers requests in flight (default ${DEFAULT-VALUE})")
    long rate = 200;

    @Option(
        names = "--publishers",
        description = "publish connections, one request in flight each (default 32)")
    Integer publishers;

    @Option(
        names = "--publish-redis",
        description =
            "publish through the Java API instead of over HTTP: SseHub.publish on a "
                + "Redis broker at this URL (loopback only), as a Java app on another node does; the hub must run on the same "
                + "Redis. --publishers is then the publishes in flight (--target ssehub only)")
    String publishRedis;

    @Option(
        names = "--duration",
        description = "how long to publish, e.g. 10s (default ${DEFAULT-VALUE})")
    String duration = "10s";

    @Option(
        names = "--warmup",
        description =
            "before measuring, publish uncounted events at the same rate this long (default ${DEFAULT-VALUE})")
    String warmup = "0s";

    @Option(
        names = "--idle",
        description =
            "with every stream open, wait this long before reading the hub's memory as idle, so that a "
                + "garbage-collected hub has time to give back what opening them took (default ${DEFAULT-VALUE})")
    String idle = "0s";

    @Option(
        names = "--drain",
        description =
            "after publishing, wait at most this long for deliveries (default ${DEFAULT-VALUE})")
    String drain = "10s";

    @Option(
        names = "--connect-timeout",
        description = "to open all streams (default ${DEFAULT-VALUE})")
    String connectTimeout = "120s";

    @Option(
        names = "--connect-concurrency",
        description = "streams waiting for their response head at once (default ${DEFAULT-VALUE})")
    int connectConcurrency = 256;

    @Option(
        names = "--probe-timeout",
        description = "for every stream to receive a probe event (default ${DEFAULT-VALUE})")
    String probeTimeout = "60s";

    @Option(
        names = "--threads",
        description =
            "event loop threads for streams, per process (default: cores / processes, at least 1)")
    Integer threads;

    @Option(
        names = "--event-bytes",
        description = "size of each event's data, about (default ${DEFAULT-VALUE})")
    int eventBytes = 64;

    @Option(
        names = "--max-events",
        description = "stop publishing after this many events (default ${DEFAULT-VALUE})")
    long maxEvents = 20_000_000;

    @Option(
        names = "--hub-pid",
        split = ",",
        description =
            "the hub's process(es), comma-separated; each with its descendants is measured, summed (nginx: the master; on Redis add redis-server's pid)")
    List<Long> hubPid;

    @Option(
        names = "--processes",
        description =
            "spread streams over K generator JVMs; latency then uses the wall clock in us (default ${DEFAULT-VALUE})")
    int processes = 1;

    @Option(
        names = "--source-addresses",
        description =
            "comma-separated 127.x.y.z to bind streams to, round robin; 'auto' binds 127.0.0.2.. past 25,000 streams (default ${DEFAULT-VALUE})")
    String sourceAddresses = "auto";

    @Option(names = "--label", description = "a name for this run, copied to the result")
    String label = "";

    @Option(names = "--out", description = "append the JSON line to this file too")
    Path out;

    @Option(names = "--no-table", description = "print only the JSON line")
    boolean noTable;

    @Option(names = "--worker", hidden = true)
    boolean worker;

    @Option(names = "--clock", hidden = true)
    String clock;

    @Option(names = "--worker-streams", hidden = true)
    int workerStreams;
  }

  private LoadGenerator() {}

  public static void main(String[] args) {
    Options options = new Options();
    CommandLine parser = new CommandLine(options);
    try {
      parser.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      System.err.println("LoadGenerator: " + e.getMessage());
      usage(System.err);
      System.exit(2);
      return;
    }
    if (parser.isUsageHelpRequested()) {
      usage(System.out);
      return;
    }
    try {
      if (options.worker) {
        Worker.run(options);
        System.exit(0);
      }
      run(options);
      System.exit(0);
    } catch (IllegalArgumentException e) {
      System.err.println("LoadGenerator: " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      System.err.println("LoadGenerator: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void usage(PrintStream out) {
    new CommandLine(new Options()).usage(out);
  }

  /** Runs with these arguments and returns the result (also printed); for tests. */
  public static Map<String, Object> run(String... args) throws Exception {
    Options options = new Options();
    new CommandLine(options).parseArgs(args);
    return run(options);
  }

  static Map<String, Object> run(Options o) throws Exception {
    Settings s = Settings.of(o);
    Instant startedAt = Instant.now();
    ProcStat.Sample hubBaseline = o.hubPid != null ? ProcStat.sample(o.hubPid) : null;
    SseHub api = s.publishRedis != null ? javaApi(s.publishRedis) : null;
    EventLoopGroup publishLoop = Transport.group(1, "bench-publish");
    Publisher publisher =
        new Publisher(
            publishLoop,
            Transport.socketChannel(),
            s.remote,
            s.target,
            o.channel,
            s.publishers,
            o.eventBytes,
            s.clock,
            o.maxEvents,
            api);
    List<Side> sides = new ArrayList<>();
    try {
      publisher.connect().get(30, TimeUnit.SECONDS);

      // 1. Streams.
      long connectDeadline = System.nanoTime() + s.connectTimeout.toNanos();
      if (o.processes == 1) {
        sides.add(new LocalSide(o, s, o.streams, connectDeadline));
      } else {
        for (int k = 0; k < o.processes; k++) {
          int share = o.streams / o.processes + (k < o.streams % o.processes ? 1 : 0);
          sides.add(new RemoteSide(o, s, k, share));
        }
      }
      for (Side side : sides) {
        side.awaitHeld(connectDeadline + TimeUnit.SECONDS.toNanos(30));
      }
      long held = sides.stream().mapToLong(Side::held).sum();
      if (held == 0) {
        throw new IllegalStateException(
            "no stream could be opened on " + o.url + " (" + describeFailures(sides) + ")");
      }

      // 2. Probes, until every stream is live: its subscription is in place on the hub.
      long probeDeadline = System.nanoTime() + s.probeTimeout.toNanos();
      long probes = 0;
      while (System.nanoTime() < probeDeadline && !sides.stream().allMatch(Side::allProbed)) {
        publisher.probe();
        probes++;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // bounded: probeDeadline
      }
      long probed = sides.stream().mapToLong(Side::probed).sum();
      // Memory per idle stream is read before the warm-up's load grows the hub's heap: once as the
      // last stream opens (the connection storm's garbage still held), once after --idle with only
      // keepalives flowing, which is what a hub holding that many streams needs for good.
      ProcStat.Sample hubOpen = o.hubPid != null ? ProcStat.sample(o.hubPid) : null;
      LockSupport.parkNanos(s.idle.toNanos()); // a measurement window, bounded by --idle
      ProcStat.Sample hubIdle = o.hubPid != null ? ProcStat.sample(o.hubPid) : null;
      if (!s.warmup.isZero()) {
        publisher
            .warmUp(o.rate, s.warmup.toNanos())
            .get(s.warmup.toSeconds() + 60, TimeUnit.SECONDS);
      }

      // 3. Measure.
      ProcStat.Sample hubStart = o.hubPid != null ? ProcStat.sample(o.hubPid) : null;
      long selfCpu0 = ProcStat.selfCpuNanos();
      long machine0 = ProcStat.machineBusyNanos();
      long wall0Nanos = System.nanoTime();
      long wall0Micros = s.clock.micros();
      sides.forEach(Side::start);
      publisher
          .measure(o.rate, s.duration.toNanos())
          .get(s.duration.toSeconds() + 60, TimeUnit.SECONDS);
      long published = publisher.publishedCount();
      long acked = publisher.acked;
      Set<Long> failedSeqs = new HashSet<>(publisher.failedSeqs);

      // 4. Drain: until every open stream has every acknowledged event, or the bound.
      long drainDeadline = System.nanoTime() + s.drain.toNanos();
      for (Side side : sides) {
        side.end(published, acked, failedSeqs, drainDeadline);
      }
      List<StreamSide.Partial> partials = new ArrayList<>();
      for (Side side : sides) {
        partials.add(side.result(drainDeadline + TimeUnit.SECONDS.toNanos(60)));
      }
      long wallNanos = System.nanoTime() - wall0Nanos;
      long selfCpu = ProcStat.selfCpuNanos() - selfCpu0;
      long machineCpu = machine0 < 0 ? -1 : ProcStat.machineBusyNanos() - machine0;
      ProcStat.Sample hubEnd = o.hubPid != null ? ProcStat.sample(o.hubPid) : null;

      Map<String, Object> result =
          Report.build(
              o,
              s,
              startedAt,
              publisher,
              partials,
              probes,
              probed,
              published,
              wall0Micros,
              wallNanos,
              selfCpu,
              machineCpu,
              hubBaseline,
              hubOpen,
              hubIdle,
              hubStart,
              hubEnd);
      print(o, result);
      return result;
    } finally {
      for (Side side : sides) {
        side.close();
      }
      publisher.close();
      publishLoop
          .shutdownGracefully(0, 1, TimeUnit.SECONDS)
          .awaitUninterruptibly(5, TimeUnit.SECONDS);
      if (api != null) {
        api.close(); // and its broker
      }
    }
  }

  /**
   * A hub of the generator's own, on the Redis at {@code uri}, used only to publish: the Java API.
   */
  private static SseHub javaApi(URI uri) {
    RedisBroker broker = RedisBroker.builder().uri(uri.toString()).build();
    try {
      broker.connect();
    } catch (RedisUnavailableException e) {
      broker.close();
      throw new IllegalStateException("--publish-redis: " + e.getMessage(), e);
    }
    return SseHub.builder().broker(broker).keepalive(Duration.ZERO).build();
  }

  private static String describeFailures(List<Side> sides) {
    return sides.stream().map(Side::failures).reduce((a, b) -> a + "; " + b).orElse("");
  }

  private static void print(Options o, Map<String, Object> result) throws IOException {
    String line = JSON.writeValueAsString(result);
    if (!o.noTable) {
      System.err.println(Report.table(result));
    }
    System.out.println(line);
    System.out.flush();
    if (o.out != null) {
      if (o.out.getParent() != null) {
        Files.createDirectories(o.out.getParent());
      }
      Files.writeString(
          o.out,
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  // ---- settings checked once

  /** The options, checked and resolved. */
  static final class Settings {
    Target target;
    InetSocketAddress remote;

    /** Where the Java API publishes, or null to publish over HTTP. */
    URI publishRedis;

    Duration duration;
    Duration drain;
    Duration warmup;
    Duration idle;
    Duration connectTimeout;
    Duration probeTimeout;
    int threads;
    int publishers;
    List<InetAddress> sources;
    BenchClock clock;

    static Settings of(Options o) {
      Settings s = new Settings();
      try {
        s.target = Target.valueOf(o.target.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--target: " + o.target + " (expected: ssehub or nchan)");
      }
      URI uri = loopbackUrl("--url", o.url, "http");
      InetAddress host = loopback("--url", uri.getHost());
      s.remote = new InetSocketAddress(host, uri.getPort() < 0 ? 80 : uri.getPort());
      s.publishRedis = o.publishRedis != null ? publishRedis(o.publishRedis, s.target) : null;
      s.duration = duration("--duration", o.duration);
      s.drain = duration("--drain", o.drain);
      s.warmup = duration("--warmup", o.warmup);
      s.idle = duration("--idle", o.idle);
      s.connectTimeout = duration("--connect-timeout", o.connectTimeout);
      s.probeTimeout = duration("--probe-timeout", o.probeTimeout);
      if (o.streams < 1) {
        throw new IllegalArgumentException("--streams: " + o.streams + " (expected: > 0)");
      }
      if (o.rate < 0) {
        throw new IllegalArgumentException(
            "--rate: " + o.rate + " (expected: >= 0, 0 for flat out)");
      }
      if (o.processes < 1 || o.processes > 64) {
        throw new IllegalArgumentException("--processes: " + o.processes + " (expected: 1 to 64)");
      }
      if (o.connectConcurrency < 1) {
        throw new IllegalArgumentException(
            "--connect-concurrency: " + o.connectConcurrency + " (expected: > 0)");
      }
      int cores = Runtime.getRuntime().availableProcessors();
      s.threads = o.threads != null ? o.threads : Math.max(1, cores / o.processes);
      s.publishers = o.publishers != null ? o.publishers : 32;
      if (s.publishers < 1 || s.publishers > StreamHandler.WINDOW / 4) {
        throw new IllegalArgumentException(
            "--publishers: "
                + s.publishers
                + " (expected: 1 to "
                + StreamHandler.WINDOW / 4
                + ", well inside the generator's sequence window)");
      }
      s.clock =
          o.clock != null
              ? BenchClock.named(o.clock)
              : o.processes > 1 ? BenchClock.wall() : BenchClock.NANO;
      s.sources = sources(o);
      int perProcess = o.worker ? o.workerStreams : (o.processes == 1 ? o.streams : 0);
      long limit = ProcStat.openFileLimit();
      long needed = perProcess + s.publishers + 100L;
      if (limit > 0 && needed > limit) {
        throw new IllegalArgumentException(
            "--streams: "
                + perProcess
                + " streams in one process need ulimit -n >= "
                + needed
                + " (this process may open "
                + limit
                + " files): raise ulimit -n, or spread them with --processes "
                + (int) Math.ceil(o.streams / (double) Math.max(1, limit - s.publishers - 100)));
      }
      return s;
    }

    private static List<InetAddress> sources(Options o) {
      List<InetAddress> list = new ArrayList<>();
      if ("auto".equals(o.sourceAddresses)) {
        if (o.streams > 25_000) {
          int n = (int) Math.ceil(o.streams / 25_000.0);
          for (int i = 0; i < n; i++) {
            list.add(loopback("--source-addresses", "127.0.0." + (2 + i)));
          }
        }
      } else if (!o.sourceAddresses.isBlank() && !"none".equals(o.sourceAddresses)) {
        for (String a : o.sourceAddresses.split(",")) {
          list.add(loopback("--source-addresses", a.trim()));
        }
      }
      return list;
    }

    private static URI publishRedis(String url, Target target) {
      if (target != Target.SSEHUB) {
        throw new IllegalArgumentException(
            "--publish-redis: publishes through ssehub's Java API (expected: --target ssehub)");
      }
      URI uri = loopbackUrl("--publish-redis", url, "redis");
      loopback("--publish-redis", uri.getHost());
      return uri;
    }

    /** {@code url} parsed, with {@code scheme} and a host, else an error naming {@code flag}. */
    private static URI loopbackUrl(String flag, String url, String scheme) {
      String expected = "expected: " + scheme + "://127.0.0.1:PORT";
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(
            flag + ": " + url + " (" + expected + "; " + e.getReason() + ")");
      }
      if (!scheme.equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException(flag + ": " + url + " (" + expected + ")");
      }
      return uri;
    }

    static InetAddress loopback(String flag, String host) {
      try {
        InetAddress address = InetAddress.getByName(host);
        if (!address.isLoopbackAddress()) {
          throw new IllegalArgumentException(
              flag + ": " + host + " (expected: a loopback address, 127.0.0.0/8)");
        }
        return address;
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(
            flag + ": " + host + " (expected: a loopback address; " + e.getMessage() + ")");
      }
    }

    static Duration duration(String flag, String text) {
      String t = text.trim().toLowerCase(Locale.ROOT);
      Duration d;
      try {
        if (t.endsWith("ms")) {
          d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        } else if (t.endsWith("s")) {
          d =
              Duration.ofMillis(
                  Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        } else if (t.endsWith("m")) {
          d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
        } else {
          d = Duration.ofSeconds(Long.parseLong(t));
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            flag + ": " + text + " (expected: a duration such as 500ms, 10s, 2m)");
      }
      if (d.isNegative()) {
        throw new IllegalArgumentException(
            flag + ": " + text + " (expected: a duration of 0 or more)");
      }
      return d;
    }
  }

  // ---- where streams live: this process, or worker processes

  interface Side extends AutoCloseable {
    /** Returns once every stream is held or failed, or at the deadline. */
    void awaitHeld(long deadlineNanos) throws Exception;

    long held();

    long probed();

    boolean allProbed();

    String failures();

    /** The measured phase begins. */
    void start();

    /** Publishing is over: drain until the deadline, then count. */
    void end(long published, long acked, Set<Long> failedSeqs, long drainDeadlineNanos)
        throws Exception;

    StreamSide.Partial result(long deadlineNanos) throws Exception;

    @Override
    void close();
  }

  /** Streams in this process. */
  static final class LocalSide implements Side {
    private final StreamSide streams;
    private StreamSide.Partial result;

    LocalSide(Options o, Settings s, int count, long deadlineNanos) {
      this.streams =
          new StreamSide(
              s.remote, s.target, o.channel, s.threads, o.connectConcurrency, s.sources, s.clock);
      streams.connect(count, deadlineNanos);
    }

    @Override
    public void awaitHeld(long deadlineNanos) {}

    @Override
    public long held() {
      return streams.held();
    }

    @Override
    public long probed() {
      return streams.probed();
    }

    @Override
    public boolean allProbed() {
      return streams.probed() >= streams.open();
    }

    @Override
    public String failures() {
      return streams.failed() + " failed";
    }

    @Override
    public void start() {}

    @Override
    public void end(long published, long acked, Set<Long> failedSeqs, long drainDeadlineNanos)
        throws Exception {
      drain(streams, acked, drainDeadlineNanos);
      result = streams.finish(published, failedSeqs);
    }

    @Override
    public StreamSide.Partial result(long deadlineNanos) {
      return result;
    }

    @Override
    public void close() {
      streams.close();
    }
  }

  /** Waits, bounded, until the open streams have received every acknowledged event. */
  static void drain(StreamSide streams, long acked, long deadlineNanos) {
    while (System.nanoTime() < deadlineNanos && streams.deliveries() < acked * streams.open()) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // bounded: deadlineNanos
    }
  }

  /**
   * Streams in a worker JVM (this class with {@code --worker}), driven over its stdin and stdout:
   * it prints {@code HELD n failed}, {@code PROBED n}, then {@code RESULT json}; it reads {@code
   * START} and {@code END published acked drainMillis failedSeq,...}.
   */
  static final class RemoteSide implements Side {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final int index;
    private volatile long held;
    private volatile long failed;
    private volatile long probed;

    RemoteSide(Options o, Settings s, int index, int share) throws IOException {
      this.index = index;
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      String jvmOpts =
          System.getenv().getOrDefault("BENCH_WORKER_JAVA_OPTS", "-XX:+UseParallelGC -Xss256k");
      for (String opt : jvmOpts.trim().split("\\s+")) {
        if (!opt.isEmpty()) {
          cmd.add(opt);
        }
      }
      cmd.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              LoadGenerator.class.getName(),
              "--worker",
              "--worker-streams",
              Integer.toString(share),
              "--streams",
              Integer.toString(o.streams),
              "--processes",
              Integer.toString(o.processes),
              "--target",
              o.target,
              "--url",
              o.url,
              "--channel",
              o.channel,
              "--threads",
              Integer.toString(s.threads),
              "--connect-timeout",
              o.connectTimeout,
              "--connect-concurrency",
              Integer.toString(o.connectConcurrency),
              "--publishers",
              Integer.toString(s.publishers),
              "--clock",
              s.clock.name(),
              "--source-addresses",
              s.sources.isEmpty()
                  ? "none"
                  : s.sources.get(index % s.sources.size()).getHostAddress()));
      this.process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("HELD ")) {
                      String[] f = line.split(" ");
                      failed = Long.parseLong(f[2]);
                      held = Long.parseLong(f[1]);
                    } else if (line.startsWith("PROBED ")) {
                      probed = Long.parseLong(line.substring(7));
                    }
                    lines.add(line);
                  }
                } catch (IOException e) {
                  lines.add("ERROR " + e);
                }
                lines.add("EOF");
              },
              "bench-worker-" + index);
      reader.setDaemon(true);
      reader.start();
    }

    @Override
    public void awaitHeld(long deadlineNanos) throws Exception {
      expect("HELD", deadlineNanos);
    }

    private String expect(String prefix, long deadlineNanos) throws Exception {
      while (true) {
        String line =
            lines.poll(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new IllegalStateException("worker " + index + ": no " + prefix + " line in time");
        }
        if (line.startsWith(prefix + " ")) {
          return line.substring(prefix.length() + 1);
        }
        if (line.equals("EOF") || line.startsWith("ERROR")) {
          throw new IllegalStateException("worker " + index + " ended: " + line);
        }
      }
    }

    @Override
    public long held() {
      return held;
    }

    @Override
    public long probed() {
      return probed;
    }

    @Override
    public boolean allProbed() {
      return probed >= held;
    }

    @Override
    public String failures() {
      return "worker " + index + ": " + failed + " failed";
    }

    private void send(String line) {
      try {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
      } catch (IOException e) {
        throw new UncheckedIOException("worker " + index + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void start() {
      send("START");
    }

    @Override
    public void end(long published, long acked, Set<Long> failedSeqs, long drainDeadlineNanos) {
      StringBuilder failedList = new StringBuilder();
      for (long seq : failedSeqs) {
        failedList.append(failedList.length() == 0 ? "" : ",").append(seq);
      }
      long drainMillis =
          Math.max(0, TimeUnit.NANOSECONDS.toMillis(drainDeadlineNanos - System.nanoTime()));
      send(
          "END "
              + published
              + " "
              + acked
              + " "
              + drainMillis
              + " "
              + (failedList.length() == 0 ? "-" : failedList));
    }

    @Override
    public StreamSide.Partial result(long deadlineNanos) throws Exception {
      return JSON.readValue(expect("RESULT", deadlineNanos), StreamSide.Partial.class);
    }

    @Override
    public void close() {
      try {
        send("QUIT");
      } catch (UncheckedIOException e) {
        // already gone
      }
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  /** The worker's side of the protocol. */
  static final class Worker {
    private Worker() {}

    static void run(Options o) throws Exception {
      Settings s = Settings.of(o);
      BlockingQueue<String> commands = new LinkedBlockingQueue<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                  for (String line; (line = in.readLine()) != null; ) {
                    commands.add(line);
                  }
                } catch (IOException e) {
                  // parent gone
                }
                commands.add("QUIT");
              },
              "bench-worker-stdin");
      reader.setDaemon(true);
      reader.start();
      PrintStream out = System.out;
      try (StreamSide streams =
          new StreamSide(
              s.remote, s.target, o.channel, s.threads, o.connectConcurrency, s.sources, s.clock)) {
        streams.connect(o.workerStreams, System.nanoTime() + s.connectTimeout.toNanos());
        out.println("HELD " + streams.held() + " " + streams.failed());
        out.flush();
        long lastProbed = -1;
        long cpu0 = ProcStat.selfCpuNanos();
        // Report probes as they come, until START; every loop bounded by the parent's commands.
        for (int i = 0; i < 100_000; i++) {
          long probed = streams.probed();
          if (probed != lastProbed) {
            out.println("PROBED " + probed);
            out.flush();
            lastProbed = probed;
          }
          String cmd = commands.poll(20, TimeUnit.MILLISECONDS);
          if (cmd == null) {
            continue;
          }
          if (cmd.equals("START")) {
            cpu0 = ProcStat.selfCpuNanos();
          } else if (cmd.startsWith("END ")) {
            String[] f = cmd.split(" ");
            long published = Long.parseLong(f[1]);
            long acked = Long.parseLong(f[2]);
            long drainMillis = Long.parseLong(f[3]);
            Set<Long> failedSeqs = new HashSet<>();
            if (!f[4].equals("-")) {
              for (String seq : f[4].split(",")) {
                failedSeqs.add(Long.parseLong(seq));
              }
            }
            drain(streams, acked, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis));
            StreamSide.Partial p = streams.finish(published, failedSeqs);
            p.cpuNanos = ProcStat.selfCpuNanos() - cpu0;
            out.println("RESULT " + JSON.writeValueAsString(p));
            out.flush();
          } else if (cmd.equals("QUIT")) {
            return;
          }
        }
      }
    }
  }

  // ---- merging

  static Histogram merge(List<StreamSide.Partial> partials) {
    Histogram h = new Histogram(3_600_000_000L, 3);
    for (StreamSide.Partial p : partials) {
      h.add(StreamSide.decode(p.latency));
    }
    return h;
  }

  static Map<String, Integer> mergeReasons(List<StreamSide.Partial> partials) {
    Map<String, Integer> m = new TreeMap<>();
    partials.forEach(p -> p.endReasons.forEach((k, v) -> m.merge(k, v, Integer::sum)));
    return m;
  }
}

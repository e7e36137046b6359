package io.ssehub.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One run's figures: a flat, ordered map that becomes the JSON line (every key always present, null
 * where not measured), and a readable table of it.
 */
final class Report {
  /** Every key of the JSON line, in order: the smoke test checks each is present. */
  static final List<String> KEYS =
      List.of(
          "label",
          "target",
          "url",
          "started_at",
          "transport",
          "clock",
          "cores",
          "streams_requested",
          "streams_held",
          "streams_failed",
          "streams_closed",
          "processes",
          "threads_per_process",
          "publishers",
          "publish_via",
          "rate_requested",
          "event_bytes",
          "probes_sent",
          "streams_probed",
          "duration_s",
          "events_published",
          "publishes_acked",
          "publishes_failed",
          "publishes_acked_per_s",
          "publish_failures",
          "publish_behind_ticks",
          "ack_latency_us_p50",
          "ack_latency_us_p99",
          "ack_latency_us_max",
          "deliveries",
          "expected_deliveries",
          "deliveries_per_s",
          "missing",
          "duplicates",
          "out_of_window",
          "unparsed",
          "stale_before_probe",
          "streams_with_gaps",
          "latency_us_p50",
          "latency_us_p99",
          "latency_us_p999",
          "latency_us_max",
          "latency_us_mean",
          "hub_pid",
          "hub_processes",
          "hub_cpu_s",
          "hub_cpu_cores",
          "hub_cpu_us_per_delivery",
          "hub_rss_kb_baseline",
          "hub_rss_kb_open",
          "idle_s",
          "hub_rss_kb_idle",
          "hub_rss_kb_end",
          "hub_pss_kb_idle",
          "hub_rss_bytes_per_stream",
          "hub_rss_total_bytes_per_stream",
          "generator_cpu_s",
          "generator_cpu_cores",
          "generator_cpu_pct",
          "machine_cpu_cores",
          "other_cpu_cores",
          "limited_by",
          "warnings",
          "stream_end_reasons",
          "clean");

  private Report() {}

  static Map<String, Object> build(
      LoadGenerator.Options o,
      LoadGenerator.Settings s,
      Instant startedAt,
      Publisher publisher,
      List<StreamSide.Partial> partials,
      long probes,
      long probed,
      long published,
      long wall0Micros,
      long wallNanos,
      long selfCpuNanos,
      long machineCpuNanos,
      ProcStat.Sample hubBaseline,
      ProcStat.Sample hubOpen,
      ProcStat.Sample hubIdle,
      ProcStat.Sample hubStart,
      ProcStat.Sample hubEnd) {
    int cores = Runtime.getRuntime().availableProcessors();
    long held = 0;
    long failed = 0;
    long closed = 0;
    long deliveries = 0;
    long missing = 0;
    long duplicates = 0;
    long outOfWindow = 0;
    long unparsed = 0;
    long stale = 0;
    long gaps = 0;
    long lastDelivery = 0;
    long workerCpu = 0;
    for (StreamSide.Partial p : partials) {
      held += p.held;
      failed += p.failed;
      closed += p.closed;
      deliveries += p.deliveries;
      missing += p.missing;
      duplicates += p.duplicates;
      outOfWindow += p.outOfWindow;
      unparsed += p.unparsed;
      stale += p.beforeProbe;
      gaps += p.streamsWithGaps;
      lastDelivery = Math.max(lastDelivery, p.lastDeliveryMicros);
      workerCpu += p.cpuNanos;
    }
    Histogram latency = LoadGenerator.merge(partials);
    double publishSeconds = publisher.elapsedNanos / 1e9;
    long publishEndMicros = wall0Micros + publisher.elapsedNanos / 1_000;
    double deliverySeconds = (Math.max(lastDelivery, publishEndMicros) - wall0Micros) / 1e6;
    double wallSeconds = wallNanos / 1e9;

    Map<String, Object> r = new LinkedHashMap<>();
    r.put("label", o.label);
    r.put("target", s.target.name().toLowerCase(Locale.ROOT));
    r.put("url", o.url);
    r.put("started_at", startedAt.toString());
    r.put("transport", Transport.name());
    r.put("clock", s.clock.name());
    r.put("cores", cores);
    r.put("streams_requested", o.streams);
    r.put("streams_held", held);
    r.put("streams_failed", failed);
    r.put("streams_closed", closed);
    r.put("processes", o.processes);
    r.put("threads_per_process", s.threads);
    r.put("publishers", s.publishers);
    r.put("publish_via", s.publishRedis != null ? "java-api" : "http");
    r.put("rate_requested", o.rate);
    r.put("event_bytes", o.eventBytes);
    r.put("probes_sent", probes);
    r.put("streams_probed", probed);
    r.put("duration_s", round(deliverySeconds, 3));
    r.put("events_published", published);
    r.put("publishes_acked", publisher.acked);
    r.put("publishes_failed", publisher.failed);
    r.put("publishes_acked_per_s", round(publisher.acked / Math.max(1e-9, publishSeconds), 1));
    r.put("publish_failures", new LinkedHashMap<>(publisher.failureReasons));
    r.put("publish_behind_ticks", publisher.behindTicks);
    r.put("ack_latency_us_p50", publisher.ackLatency.getValueAtPercentile(50));
    r.put("ack_latency_us_p99", publisher.ackLatency.getValueAtPercentile(99));
    r.put("ack_latency_us_max", publisher.ackLatency.getMaxValue());
    r.put("deliveries", deliveries);
    r.put("expected_deliveries", publisher.acked * held);
    r.put("deliveries_per_s", round(deliveries / Math.max(1e-9, deliverySeconds), 1));
    r.put("missing", missing);
    r.put("duplicates", duplicates);
    r.put("out_of_window", outOfWindow);
    r.put("unparsed", unparsed);
    r.put("stale_before_probe", stale);
    r.put("streams_with_gaps", gaps);
    r.put("latency_us_p50", latency.getValueAtPercentile(50));
    r.put("latency_us_p99", latency.getValueAtPercentile(99));
    r.put("latency_us_p999", latency.getValueAtPercentile(99.9));
    r.put("latency_us_max", latency.getMaxValue());
    r.put("latency_us_mean", round(latency.getMean(), 1));

    Double hubCores = null;
    r.put(
        "hub_pid",
        o.hubPid == null
            ? null
            : o.hubPid.stream()
                .map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(",")));
    r.put("hub_processes", hubEnd != null ? hubEnd.processes() : null);
    if (hubIdle != null && hubStart != null && hubEnd != null) {
      long hubCpu = hubEnd.cpuNanos() - hubStart.cpuNanos(); // the measured window only
      hubCores = hubCpu / 1e9 / wallSeconds;
      r.put("hub_cpu_s", round(hubCpu / 1e9, 3));
      r.put("hub_cpu_cores", round(hubCores, 2));
      r.put(
          "hub_cpu_us_per_delivery", deliveries == 0 ? null : round(hubCpu / 1e3 / deliveries, 3));
      r.put("hub_rss_kb_baseline", hubBaseline.rssKb());
      r.put("hub_rss_kb_open", hubOpen.rssKb());
      r.put("idle_s", round(s.idle.toMillis() / 1e3, 3));
      r.put("hub_rss_kb_idle", hubIdle.rssKb());
      r.put("hub_rss_kb_end", hubEnd.rssKb());
      r.put("hub_pss_kb_idle", hubIdle.pssKb());
      r.put(
          "hub_rss_bytes_per_stream",
          held == 0 ? null : Math.round((hubIdle.rssKb() - hubBaseline.rssKb()) * 1024.0 / held));
      r.put(
          "hub_rss_total_bytes_per_stream",
          held == 0 ? null : Math.round(hubIdle.rssKb() * 1024.0 / held));
    } else {
      for (String k :
          List.of(
              "hub_cpu_s",
              "hub_cpu_cores",
              "hub_cpu_us_per_delivery",
              "hub_rss_kb_baseline",
              "hub_rss_kb_open",
              "idle_s",
              "hub_rss_kb_idle",
              "hub_rss_kb_end",
              "hub_pss_kb_idle",
              "hub_rss_bytes_per_stream",
              "hub_rss_total_bytes_per_stream")) {
        r.put(k, null);
      }
    }

    long generatorCpu = selfCpuNanos + workerCpu;
    double generatorCores = generatorCpu / 1e9 / wallSeconds;
    int generatorThreads = s.threads * o.processes + 1;
    double usable = Math.min(generatorThreads, cores);
    double generatorPct = 100 * generatorCores / usable;
    r.put("generator_cpu_s", round(generatorCpu / 1e9, 3));
    r.put("generator_cpu_cores", round(generatorCores, 2));
    r.put("generator_cpu_pct", round(generatorPct, 1));
    Double machineCores = machineCpuNanos < 0 ? null : machineCpuNanos / 1e9 / wallSeconds;
    Double otherCores =
        machineCores == null || hubCores == null
            ? null
            : Math.max(0, machineCores - hubCores - generatorCores);
    r.put("machine_cpu_cores", machineCores == null ? null : round(machineCores, 2));
    r.put("other_cpu_cores", otherCores == null ? null : round(otherCores, 2));

    List<String> warnings = new ArrayList<>();
    String limitedBy = "none";
    if (generatorPct >= 90) {
      limitedBy = "generator";
      warnings.add(
          String.format(
              Locale.ROOT,
              "generator CPU %.0f%% of its %.0f usable cores: result limited by the generator",
              generatorPct,
              usable));
    } else if (hubCores != null
        && (machineCores != null ? machineCores : hubCores + generatorCores) >= 0.9 * cores) {
      limitedBy = "machine";
      warnings.add(
          String.format(
              Locale.ROOT,
              "machine CPU saturated (hub %.2f + generator %.2f + others %.2f of %d cores):"
                  + " the generator and other processes take cores the hub could use",
              hubCores,
              generatorCores,
              otherCores == null ? 0.0 : otherCores,
              cores));
    }
    if (otherCores != null && otherCores >= 0.2) {
      warnings.add(
          String.format(
              Locale.ROOT,
              "other processes used %.2f cores during the run: figures disturbed",
              otherCores));
    }
    if (held < o.streams) {
      warnings.add((o.streams - held) + " of " + o.streams + " streams could not be opened");
    }
    if (probed < held) {
      warnings.add(
          (held - probed)
              + " streams never received a probe event: they were not live when counting began");
    }
    if (o.rate > 0 && publisher.acked < 0.95 * o.rate * publishSeconds) {
      warnings.add(
          String.format(
              Locale.ROOT,
              "publish rate not reached: %.0f/s acknowledged of %d/s asked",
              publisher.acked / Math.max(1e-9, publishSeconds),
              o.rate));
    }
    if (missing > 0 || duplicates > 0) {
      warnings.add(missing + " missing and " + duplicates + " duplicate deliveries");
    }
    if (closed > 0) {
      warnings.add(closed + " streams closed by the hub during the run");
    }
    if (o.hubPid == null) {
      warnings.add("no --hub-pid: hub CPU and memory not measured");
    }
    r.put("limited_by", limitedBy);
    r.put("warnings", warnings);
    r.put("stream_end_reasons", LoadGenerator.mergeReasons(partials));
    r.put(
        "clean",
        missing == 0
            && duplicates == 0
            && held == o.streams
            && probed == held
            && closed == 0
            && publisher.failed == 0);
    return r;
  }

  /** A readable table of a result. */
  static String table(Map<String, Object> r) {
    StringBuilder t = new StringBuilder();
    t.append(
        String.format(
            Locale.ROOT,
            "%n== %s %s: %s streams, %s ==%n",
            r.get("target"),
            r.get("label"),
            r.get("streams_held"),
            ((Number) r.get("rate_requested")).longValue() == 0
                ? "flat out"
                : r.get("rate_requested") + " events/s"));
    row(
        t,
        "streams held / failed / closed",
        r.get("streams_held") + " / " + r.get("streams_failed") + " / " + r.get("streams_closed"));
    row(
        t,
        "deliveries/s",
        r.get("deliveries_per_s")
            + "  ("
            + r.get("deliveries")
            + " in "
            + r.get("duration_s")
            + " s)");
    row(
        t,
        "missing / duplicates",
        r.get("missing")
            + " / "
            + r.get("duplicates")
            + "  (streams with gaps "
            + r.get("streams_with_gaps")
            + ", out of window "
            + r.get("out_of_window")
            + ")");
    row(
        t,
        "latency us p50 / p99 / p99.9 / max",
        r.get("latency_us_p50")
            + " / "
            + r.get("latency_us_p99")
            + " / "
            + r.get("latency_us_p999")
            + " / "
            + r.get("latency_us_max")
            + "  ("
            + r.get("clock")
            + ")");
    row(t, "published via", r.get("publish_via"));
    row(
        t,
        "publishes acked/s, failed",
        r.get("publishes_acked_per_s")
            + ", "
            + r.get("publishes_failed")
            + " "
            + r.get("publish_failures"));
    row(
        t,
        "publish ack us p50 / p99 / max",
        r.get("ack_latency_us_p50")
            + " / "
            + r.get("ack_latency_us_p99")
            + " / "
            + r.get("ack_latency_us_max"));
    row(
        t,
        "hub CPU us per delivery",
        r.get("hub_cpu_us_per_delivery") + "  (" + r.get("hub_cpu_cores") + " cores)");
    row(
        t,
        "hub RSS KB baseline / open / idle / end",
        r.get("hub_rss_kb_baseline")
            + " / "
            + r.get("hub_rss_kb_open")
            + " / "
            + r.get("hub_rss_kb_idle")
            + " / "
            + r.get("hub_rss_kb_end")
            + "  (idle: "
            + r.get("idle_s")
            + " s after the last stream opened)");
    row(
        t,
        "hub RSS bytes per stream",
        r.get("hub_rss_bytes_per_stream")
            + " (growth)  "
            + r.get("hub_rss_total_bytes_per_stream")
            + " (total)");
    row(
        t,
        "generator CPU",
        r.get("generator_cpu_cores") + " cores, " + r.get("generator_cpu_pct") + "% of usable");
    row(
        t,
        "machine CPU (others)",
        r.get("machine_cpu_cores")
            + " cores ("
            + r.get("other_cpu_cores")
            + " by other processes)");
    row(t, "limited by", r.get("limited_by"));
    Object warnings = r.get("warnings");
    if (warnings instanceof List<?> list) {
      for (Object w : list) {
        row(t, "warning", w);
      }
    }
    return t.toString();
  }

  private static void row(StringBuilder t, String key, Object value) {
    t.append(String.format(Locale.ROOT, "  %-36s %s%n", key, value));
  }

  private static double round(double v, int places) {
    double f = Math.pow(10, places);
    return Math.round(v * f) / f;
  }
}

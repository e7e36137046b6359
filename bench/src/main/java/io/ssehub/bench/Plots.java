package io.ssehub.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Draws the PNG plots of a {@code bench/compare.sh} results file (one JSON line per run): for each
 * storage and rate, deliveries/s, p99 latency, hub CPU per delivery and idle RSS against the number
 * of subscribers, one line per hub, so that ssehub and Nchan are read side by side.
 *
 * <p>Reading ({@link #readRuns}) and choosing what each chart shows ({@link #chartData}) are apart
 * from drawing ({@link #draw}), so that the figures a chart holds can be checked without pixels.
 */
public final class Plots {
  static {
    // Before any AWT class loads: charts are drawn into images, on machines without a display.
    System.setProperty("java.awt.headless", "true");
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One run of the generator, as far as the plots need it; null where the line has no figure. */
  record Run(
      String hub,
      String storage,
      long subscribers,
      long rate,
      Double deliveriesPerS,
      Double p99Us,
      Double cpuUsPerDelivery,
      Double rssKbIdle) {}

  /**
   * What a chart plots against subscribers: a field of the run, its unit and its file name part.
   */
  enum Metric {
    DELIVERIES(
        "deliveries",
        "Deliveries/s",
        "deliveries per second (all subscribers)",
        Run::deliveriesPerS),
    P99(
        "p99",
        "p99 latency",
        "p99 publish-to-receive latency (ms)",
        r -> r.p99Us() == null ? null : r.p99Us() / 1000),
    CPU("cpu", "Hub CPU per delivery", "hub CPU per delivery (µs)", Run::cpuUsPerDelivery),
    RSS(
        "rss",
        "Hub memory, streams open and idle",
        "hub RSS (MiB; on Redis with redis-server's)",
        r -> r.rssKbIdle() == null ? null : r.rssKbIdle() / 1024);

    final String fileName;
    final String title;
    final String axisLabel;
    final Function<Run, Double> value;

    Metric(String fileName, String title, String axisLabel, Function<Run, Double> value) {
      this.fileName = fileName;
      this.title = title;
      this.axisLabel = axisLabel;
      this.value = value;
    }
  }

  record Point(long subscribers, double value) {}

  /** One hub's points, by number of subscribers. */
  record Series(String hub, List<Point> points) {}

  /**
   * One chart: a metric for one storage and rate. {@code missingHubs} ran in this storage and rate
   * but have no figure for the metric (a failed run, a field left null).
   */
  record ChartData(
      String storage, long rate, Metric metric, List<Series> series, List<String> missingHubs) {
    String fileName(String stem) {
      return stem
          + "-"
          + storage
          + "-"
          + (rate == 0 ? "flat" : Long.toString(rate))
          + "-"
          + metric.fileName
          + ".png";
    }

    String title() {
      String where = storage.equals("memory") ? "in memory" : "on " + storage;
      String load = rate == 0 ? "publishing flat out" : rate + " events/s";
      return metric.title + " against subscribers, " + where + ", " + load;
    }

    /** Log scale where the values spread over a decade or more (and none is zero). */
    boolean logValues() {
      return spreadsOverADecade(
          series.stream().flatMap(s -> s.points().stream()).map(Point::value).toList());
    }

    private static boolean spreadsOverADecade(List<Double> values) {
      double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
      double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      return min > 0 && max / min >= 10;
    }
  }

  @Command(
      name = "Plots",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      usageHelpWidth = 110,
      description = {
        "Draws PNG plots of a bench/compare.sh results file (compare-<time>.jsonl): for each storage and rate,",
        "deliveries/s, p99 latency, hub CPU per delivery and idle RSS against subscribers, one line per hub.",
        "Files: <results stem>-<storage>-<rate|flat>-<deliveries|p99|cpu|rss>.png, in --out.",
        "Prints the files written (with --markdown: Markdown image links relative to --out)."
      })
  static final class Options {
    @Parameters(index = "0", paramLabel = "RESULTS", description = "the .jsonl results file")
    Path results;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "where the PNGs go (default: the results file's directory)")
    Path out;

    @Option(
        names = "--width",
        paramLabel = "PX",
        description = "image width (default: ${DEFAULT-VALUE})")
    int width = 900;

    @Option(
        names = "--height",
        paramLabel = "PX",
        description = "image height (default: ${DEFAULT-VALUE})")
    int height = 540;

    @Option(names = "--markdown", description = "print Markdown image links instead of paths")
    boolean markdown;
  }

  private Plots() {}

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  /**
   * Runs as {@link #main} does and returns the exit code: 0, 2 for bad arguments or input, 1 if
   * writing failed.
   */
  static int run(PrintStream out, PrintStream err, String... args) {
    Options options = new Options();
    CommandLine parser = new CommandLine(options);
    try {
      parser.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      err.println("Plots: " + e.getMessage());
      parser.usage(err);
      return 2;
    }
    if (parser.isUsageHelpRequested()) {
      parser.usage(out);
      return 0;
    }
    try {
      if (options.width < 100 || options.height < 100) {
        throw new IllegalArgumentException("--width and --height must be at least 100 pixels");
      }
      Path dir = options.out != null ? options.out : options.results.toAbsolutePath().getParent();
      List<ChartData> charts = chartData(readRuns(options.results));
      Files.createDirectories(dir);
      String stem = stem(options.results);
      for (ChartData chart : charts) {
        Path file = dir.resolve(chart.fileName(stem));
        ChartUtils.saveChartAsPNG(file.toFile(), draw(chart), options.width, options.height);
        out.println(
            options.markdown
                ? "![" + chart.title() + "](" + file.getFileName() + ")"
                : file.toString());
      }
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("Plots: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("Plots: " + e);
      return 1;
    }
  }

  /**
   * The runs of a results file; every line must be a JSON object naming its hub, storage,
   * subscribers and rate.
   */
  static List<Run> readRuns(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    }
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (!line.isEmpty()) {
        runs.add(parseRun(line, file + ":" + (i + 1)));
      }
    }
    if (runs.isEmpty()) {
      throw new IllegalArgumentException(file + ": no runs (an empty file: did every run fail?)");
    }
    return runs;
  }

  private static Run parseRun(String line, String where) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + ": not a JSON line: " + e.getOriginalMessage());
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + ": not a JSON object");
    }
    String hub = text(node, "target", where);
    String label = text(node, "label", where);
    // Labels are target-storage-streams-rate[-extra] (bench/compare.sh); a storage field wins if a
    // line has one.
    String[] parts = label.split("-");
    String storage =
        node.hasNonNull("storage")
            ? node.get("storage").asText()
            : parts.length > 1 ? parts[1] : "";
    if (storage.isEmpty()) {
      throw new IllegalArgumentException(
          where
              + ": label \""
              + label
              + "\" does not name the storage (expected target-storage-streams-rate, as bench/compare.sh writes)");
    }
    return new Run(
        hub,
        storage,
        whole(node, "streams_requested", where),
        whole(node, "rate_requested", where),
        number(node, "deliveries_per_s", where),
        number(node, "latency_us_p99", where),
        number(node, "hub_cpu_us_per_delivery", where),
        number(node, "hub_rss_kb_idle", where));
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException(where + ": \"" + field + "\" is missing or not a string");
    }
    return value.asText();
  }

  private static long whole(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null
        || !value.canConvertToLong()
        || !value.isIntegralNumber()
        || value.asLong() < 0) {
      throw new IllegalArgumentException(
          where + ": \"" + field + "\" is missing or not a whole number >= 0");
    }
    return value.asLong();
  }

  /**
   * A figure, or null where the run has none (absent or null: a hub whose CPU could not be read,
   * ...).
   */
  private static Double number(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber()) {
      throw new IllegalArgumentException(where + ": \"" + field + "\" is not a number: " + value);
    }
    return value.asDouble();
  }

  /**
   * The charts for {@code runs}: for each storage (memory first) and rate (fixed rates ascending,
   * flat out last), one per metric that any hub has a figure for. Hubs in name order.
   */
  static List<ChartData> chartData(List<Run> runs) {
    Comparator<String> storageOrder =
        Comparator.comparing((String s) -> !s.equals("memory"))
            .thenComparing(Comparator.naturalOrder());
    Comparator<Long> rateOrder =
        Comparator.comparing((Long r) -> r == 0).thenComparing(Comparator.naturalOrder());
    Map<String, Map<Long, List<Run>>> groups = new TreeMap<>(storageOrder);
    for (Run run : runs) {
      groups
          .computeIfAbsent(run.storage(), k -> new TreeMap<>(rateOrder))
          .computeIfAbsent(run.rate(), k -> new ArrayList<>())
          .add(run);
    }
    List<ChartData> charts = new ArrayList<>();
    groups.forEach(
        (storage, byRate) ->
            byRate.forEach(
                (rate, group) -> {
                  TreeSet<String> hubs = new TreeSet<>();
                  group.forEach(r -> hubs.add(r.hub()));
                  for (Metric metric : Metric.values()) {
                    List<Series> series = new ArrayList<>();
                    List<String> missing = new ArrayList<>();
                    for (String hub : hubs) {
                      List<Point> points =
                          group.stream()
                              .filter(r -> r.hub().equals(hub) && metric.value.apply(r) != null)
                              .map(r -> new Point(r.subscribers(), metric.value.apply(r)))
                              .sorted(Comparator.comparingLong(Point::subscribers))
                              .toList();
                      if (points.isEmpty()) {
                        missing.add(hub);
                      } else {
                        series.add(new Series(hub, points));
                      }
                    }
                    if (!series.isEmpty()) {
                      charts.add(new ChartData(storage, rate, metric, series, missing));
                    }
                  }
                }));
    return charts;
  }

  /** The chart for {@code data}: points marked and joined, one colour and shape per hub. */
  static JFreeChart draw(ChartData data) {
    XYSeriesCollection dataset = new XYSeriesCollection();
    for (Series s : data.series()) {
      XYSeries xy = new XYSeries(s.hub(), true, true);
      s.points().forEach(p -> xy.add(p.subscribers(), p.value()));
      dataset.addSeries(xy);
    }
    // Subscribers on a linear axis from zero: the counts compared (1,000, 10,000, 19,000) read as
    // they are.
    NumberAxis x = new NumberAxis("subscribers (streams of one channel)");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
    x.setNumberFormatOverride(plainNumbers());
    x.setUpperMargin(0.08); // room for the last tick label and the points' value labels
    ValueAxis y = valueAxis(data.metric().axisLabel, data.logValues());
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.series().size(); i++) {
      String hub = data.series().get(i).hub();
      renderer.setSeriesPaint(i, colour(hub, i));
      renderer.setSeriesShape(i, shape(i));
      renderer.setSeriesStroke(i, new BasicStroke(2f));
      // Alternately above and below the points, so that two hubs' close values do not print over
      // each other.
      renderer.setSeriesPositiveItemLabelPosition(
          i,
          i % 2 == 1
              ? new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER)
              : new ItemLabelPosition(ItemLabelAnchor.OUTSIDE6, TextAnchor.TOP_CENTER));
    }
    // Each point says its value: a log axis labels only some of its ticks, and the ratios are what
    // is read.
    renderer.setDefaultItemLabelGenerator(
        (xy, series, item) -> valueLabel(xy.getYValue(series, item)));
    renderer.setDefaultItemLabelsVisible(true);
    renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    XYPlot plot = new XYPlot(dataset, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart =
        new JFreeChart(data.title(), new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    if (!data.missingHubs().isEmpty()) {
      chart.addSubtitle(new TextTitle("no figure for " + String.join(", ", data.missingHubs())));
    }
    return chart;
  }

  /**
   * Linear from zero, or logarithmic (ticks at 1 to 9 times each power of ten) where values spread.
   */
  private static ValueAxis valueAxis(String label, boolean log) {
    if (log) {
      LogarithmicAxis axis = new LogarithmicAxis(label + ", log scale");
      axis.setExpTickLabelsFlag(false);
      axis.setLog10TickLabelsFlag(false);
      axis.setStrictValuesFlag(true);
      axis.setNumberFormatOverride(plainNumbers());
      return axis;
    }
    NumberAxis axis = new NumberAxis(label);
    axis.setNumberFormatOverride(plainNumbers());
    axis.setAutoRangeIncludesZero(true);
    return axis;
  }

  /** A point's value label: three significant digits (199,000; 3.49; 0.123). */
  static String valueLabel(double value) {
    double rounded = value == 0 ? 0 : new BigDecimal(value).round(new MathContext(3)).doubleValue();
    return plainNumbers().format(rounded);
  }

  private static DecimalFormat plainNumbers() {
    return new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT));
  }

  /** ssehub in blue and Nchan in orange on every chart; other hubs get further colours. */
  private static Color colour(String hub, int index) {
    return switch (hub) {
      case "ssehub" -> new Color(0x1f77b4);
      case "nchan" -> new Color(0xff7f0e);
      default ->
          new Color[] {new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd)}[index % 3];
    };
  }

  private static Shape shape(int index) {
    return index % 2 == 0
        ? new Ellipse2D.Double(-4.5, -4.5, 9, 9)
        : new Rectangle2D.Double(-4, -4, 8, 8);
  }

  /** The results file's name without {@code .jsonl}: the prefix of every PNG it gives. */
  static String stem(Path results) {
    String name = results.getFileName().toString();
    return name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
  }
}

package io.ssehub.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.bench.Plots.ChartData;
import io.ssehub.bench.Plots.Metric;
import io.ssehub.bench.Plots.Point;
import io.ssehub.bench.Plots.Series;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
  @TempDir Path dir;

  /** A line as bench/compare.sh writes it, with the fields the plots read (the others left out). */
  private static String line(
      String hub,
      String storage,
      int streams,
      int rate,
      Object deliveries,
      Object p99Us,
      Object cpu,
      Object rssKb) {
    return String.format(
        "{\"label\":\"%s-%s-%d-%s\",\"target\":\"%s\",\"streams_requested\":%d,\"rate_requested\":%d,"
            + "\"deliveries_per_s\":%s,\"latency_us_p99\":%s,\"hub_cpu_us_per_delivery\":%s,\"hub_rss_kb_idle\":%s,"
            + "\"limited_by\":\"none\"}",
        hub,
        storage,
        streams,
        rate == 0 ? "flat" : Integer.toString(rate),
        hub,
        streams,
        rate,
        deliveries,
        p99Us,
        cpu,
        rssKb);
  }

  /**
   * Memory at 200/s and flat out with both hubs at 1,000 and 10,000 streams; Redis at 200/s with
   * ssehub only.
   */
  private Path synthetic() throws IOException {
    Path file = dir.resolve("compare-T.jsonl");
    Files.write(
        file,
        List.of(
            line("nchan", "memory", 10000, 200, 1_900_000.0, 40_000, 3.5, 200_000),
            line("nchan", "memory", 1000, 200, 199_000.0, 12_000, 3.8, 56_000),
            line("ssehub", "memory", 1000, 200, 199_500.0, 3_000, 1.9, 300_000),
            line("ssehub", "memory", 10000, 200, 1_990_000.0, 8_000, 1.2, 340_000),
            line("nchan", "memory", 1000, 0, 400_000.0, 900_000, 3.0, null),
            line("ssehub", "memory", 1000, 0, 900_000.0, 300_000, 1.1, 310_000),
            "",
            line("ssehub", "redis", 1000, 200, 199_000.0, 4_000, null, 330_000)));
    return file;
  }

  @Test
  void chartDataHoldOneSeriesPerHubWithItsPointsBySubscribers() throws IOException {
    List<ChartData> charts = Plots.chartData(Plots.readRuns(synthetic()));

    assertThat(charts)
        .extracting(c -> c.fileName("compare-T"))
        .containsExactly(
            "compare-T-memory-200-deliveries.png",
            "compare-T-memory-200-p99.png",
            "compare-T-memory-200-cpu.png",
            "compare-T-memory-200-rss.png",
            "compare-T-memory-flat-deliveries.png",
            "compare-T-memory-flat-p99.png",
            "compare-T-memory-flat-cpu.png",
            "compare-T-memory-flat-rss.png",
            "compare-T-redis-200-deliveries.png",
            "compare-T-redis-200-p99.png",
            "compare-T-redis-200-rss.png");

    ChartData p99 = charts.get(1);
    assertThat(p99.metric()).isEqualTo(Metric.P99);
    assertThat(p99.title()).isEqualTo("p99 latency against subscribers, in memory, 200 events/s");
    assertThat(p99.series())
        .containsExactly(
            new Series("nchan", List.of(new Point(1000, 12.0), new Point(10000, 40.0))),
            new Series("ssehub", List.of(new Point(1000, 3.0), new Point(10000, 8.0))));
    assertThat(p99.missingHubs()).isEmpty();
    assertThat(p99.logValues()).isTrue(); // 3 to 40 ms

    ChartData flatRss = charts.get(7);
    assertThat(flatRss.title())
        .isEqualTo(
            "Hub memory, streams open and idle against subscribers, in memory, publishing flat out");
    assertThat(flatRss.series())
        .containsExactly(new Series("ssehub", List.of(new Point(1000, 310_000 / 1024.0))));
    assertThat(flatRss.missingHubs()).containsExactly("nchan");

    ChartData redisDeliveries = charts.get(8);
    assertThat(redisDeliveries.title())
        .isEqualTo("Deliveries/s against subscribers, on redis, 200 events/s");
    assertThat(redisDeliveries.series()).extracting(Series::hub).containsExactly("ssehub");
  }

  @Test
  void drawnChartHoldsTheSeriesOnALogAxisWhereTheySpreadOverADecade() throws IOException {
    List<ChartData> charts = Plots.chartData(Plots.readRuns(synthetic()));

    JFreeChart deliveries = Plots.draw(charts.get(0));
    XYPlot plot = deliveries.getXYPlot();
    XYDataset data = plot.getDataset();
    assertThat(data.getSeriesCount()).isEqualTo(2);
    assertThat(data.getSeriesKey(1)).isEqualTo("ssehub");
    assertThat(data.getItemCount(1)).isEqualTo(2);
    assertThat(data.getXValue(1, 1)).isEqualTo(10000.0);
    assertThat(data.getYValue(1, 1)).isEqualTo(1_990_000.0);
    assertThat(plot.getDomainAxis()).isInstanceOf(NumberAxis.class);
    assertThat(plot.getDomainAxis().getLabel()).isEqualTo("subscribers (streams of one channel)");
    assertThat(plot.getRangeAxis()).isInstanceOf(LogarithmicAxis.class); // 199,000 to 1,990,000
    assertThat(plot.getRangeAxis().getLabel())
        .isEqualTo("deliveries per second (all subscribers), log scale");

    JFreeChart cpu = Plots.draw(charts.get(2)); // 1.2 to 3.8 µs: linear, from zero
    assertThat(cpu.getXYPlot().getRangeAxis()).isInstanceOf(NumberAxis.class);
    assertThat(cpu.getXYPlot().getRangeAxis().getLabel()).isEqualTo("hub CPU per delivery (µs)");
  }

  @Test
  void pointsAreLabelledWithThreeSignificantDigits() {
    assertThat(Plots.valueLabel(1_987_654.3)).isEqualTo("1,990,000");
    assertThat(Plots.valueLabel(3.4921)).isEqualTo("3.49");
    assertThat(Plots.valueLabel(0.12345)).isEqualTo("0.123");
    assertThat(Plots.valueLabel(0)).isEqualTo("0");
  }

  @Test
  void writesEveryChartAsAPngOfTheAskedSizeAndPrintsMarkdownLinks() throws IOException {
    Path results = synthetic();
    Path out = dir.resolve("plots");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    int code =
        Plots.run(
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            System.err,
            results.toString(),
            "--out",
            out.toString(),
            "--width",
            "640",
            "--height",
            "400",
            "--markdown");

    assertThat(code).isZero();
    List<String> links = stdout.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(links)
        .hasSize(11)
        .first()
        .isEqualTo(
            "![Deliveries/s against subscribers, in memory, 200 events/s](compare-T-memory-200-deliveries.png)");
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .hasSize(11)
          .contains("compare-T-memory-200-p99.png", "compare-T-redis-200-rss.png")
          .doesNotContain("compare-T-redis-200-cpu.png");
    }
    BufferedImage image = ImageIO.read(out.resolve("compare-T-memory-200-p99.png").toFile());
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(640);
    assertThat(image.getHeight()).isEqualTo(400);
  }

  @Test
  void writesBesideTheResultsByDefault() throws IOException {
    Path results = synthetic();
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    assertThat(
            Plots.run(
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                System.err,
                results.toString()))
        .isZero();

    assertThat(stdout.toString(StandardCharsets.UTF_8).lines())
        .hasSize(11)
        .allSatisfy(path -> assertThat(Path.of(path)).exists().hasParent(dir));
  }

  @Test
  void malformedLineIsAnErrorNamingTheFileAndLine() throws IOException {
    Path file = dir.resolve("bad.jsonl");
    Files.write(
        file,
        List.of(
            line("ssehub", "memory", 1000, 200, 1.0, 1, 1.0, 1), "{\"label\": \"ssehub-memory-"));

    assertThatThrownBy(() -> Plots.readRuns(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(file + ":2: not a JSON line");
  }

  @Test
  void lineWithoutItsSubscribersOrWithAWordForANumberIsAnError() throws IOException {
    Path noStreams = dir.resolve("no-streams.jsonl");
    Files.writeString(
        noStreams,
        "{\"label\":\"ssehub-memory-1000-200\",\"target\":\"ssehub\",\"rate_requested\":200}\n");
    Path word = dir.resolve("word.jsonl");
    Files.writeString(word, line("ssehub", "memory", 1000, 200, "\"many\"", 1, 1.0, 1) + "\n");
    Path array = dir.resolve("array.jsonl");
    Files.writeString(array, "[1, 2]\n");

    assertThatThrownBy(() -> Plots.readRuns(noStreams))
        .hasMessage(noStreams + ":1: \"streams_requested\" is missing or not a whole number >= 0");
    assertThatThrownBy(() -> Plots.readRuns(word))
        .hasMessage(word + ":1: \"deliveries_per_s\" is not a number: \"many\"");
    assertThatThrownBy(() -> Plots.readRuns(array)).hasMessage(array + ":1: not a JSON object");
  }

  @Test
  void emptyOrAbsentFileExitsWithCodeTwoAndSaysWhy() throws IOException {
    Path empty = dir.resolve("empty.jsonl");
    Files.writeString(empty, "\n\n");
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);

    assertThat(Plots.run(System.out, err, empty.toString())).isEqualTo(2);
    assertThat(Plots.run(System.out, err, dir.resolve("absent.jsonl").toString())).isEqualTo(2);
    assertThat(Plots.run(System.out, err)).isEqualTo(2);

    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .contains("Plots: " + empty + ": no runs")
        .contains("Plots: " + dir.resolve("absent.jsonl") + ": no such file")
        .contains("Missing required parameter: 'RESULTS'");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.toString().endsWith(".png"))).isEmpty();
    }
  }
}

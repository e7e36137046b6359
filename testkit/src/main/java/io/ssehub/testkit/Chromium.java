package io.ssehub.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driven by Debian's chromedriver through Selenium, for tests that need a
 * real browser's {@code EventSource} (reconnects, {@code Last-Event-ID}, what the page shows).
 *
 * <p>Both binaries are set explicitly ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}, or
 * system properties {@value #CHROMIUM_PROPERTY} and {@value #CHROMEDRIVER_PROPERTY}), so Selenium
 * Manager never looks for, or downloads, a browser or driver. Each instance has a fresh profile in
 * a temporary directory, deleted on {@link #close()}. The browser is told not to phone home (no
 * background networking, component updates, sync or QUIC), so its only traffic is what the test
 * points it at.
 *
 * <p>Never skips: missing binaries are an error that says {@value #INSTALL_HINT}.
 */
public final class Chromium implements AutoCloseable {

  /** System property with the browser binary to use instead of {@code /usr/bin/chromium}. */
  public static final String CHROMIUM_PROPERTY = "ssehub.chromium";

  /** System property with the driver to use instead of {@code /usr/bin/chromedriver}. */
  public static final String CHROMEDRIVER_PROPERTY = "ssehub.chromedriver";

  /** The flags every instance starts with. */
  public static final List<String> FLAGS =
      List.of(
          "--headless=new",
          "--no-sandbox", // running as root in containers and CI
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--no-first-run",
          "--disable-sync",
          "--disable-quic",
          "--disable-dev-shm-usage", // /dev/shm is tiny in containers
          "--window-size=1280,800");

  static final String INSTALL_HINT = "apt-get install chromium chromium-driver";

  // Selenium warns on every start that it has no CDP bindings for Debian's (newer) Chromium. We
  // drive the browser through WebDriver only, so that is noise. Held: JUL keeps loggers weakly.
  private static final Logger CDP_VERSION_LOGGER =
      quiet("org.openqa.selenium.devtools.CdpVersionFinder");

  private final WebDriver driver;
  private final ChromeDriverService service;
  private final Path profile;
  private final List<ProcessHandle> driverProcesses;

  private Chromium(
      WebDriver driver,
      ChromeDriverService service,
      Path profile,
      List<ProcessHandle> driverProcesses) {
    this.driver = driver;
    this.service = service;
    this.profile = profile;
    this.driverProcesses = driverProcesses;
  }

  /**
   * Starts chromedriver and a headless Chromium with a fresh profile.
   *
   * @throws IllegalStateException if a binary is missing (with the install command) or the browser
   *     won't start
   */
  public static Chromium start() {
    return start(List.of());
  }

  /**
   * As {@link #start()}, with {@code extraFlags} after {@link #FLAGS}: for example a {@link
   * TestCertificate#chromiumFlag()} to trust a test certificate.
   */
  public static Chromium start(List<String> extraFlags) {
    Path chromium = binary(CHROMIUM_PROPERTY, "/usr/bin/chromium");
    Path chromedriver = binary(CHROMEDRIVER_PROPERTY, "/usr/bin/chromedriver");
    Path profile;
    try {
      profile = Files.createTempDirectory("ssehub-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ProcessReaper.register(profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver.toFile())
            .usingAnyFreePort()
            .withLogFile(profile.resolve("chromedriver.log").toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(FLAGS);
    options.addArguments(extraFlags);
    options.addArguments("--user-data-dir=" + profile.resolve("profile"));
    Set<Long> childrenBefore =
        ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      // Selenium doesn't give us chromedriver's Process; find it so a JVM exit ends it and its
      // browser even when close() was never called.
      List<ProcessHandle> started =
          ProcessHandle.current()
              .children()
              .filter(p -> !childrenBefore.contains(p.pid()))
              .filter(p -> p.info().command().orElse("").contains("chromedriver"))
              .collect(Collectors.toList());
      started.forEach(ProcessReaper::register);
      return new Chromium(driver, service, profile, started);
    } catch (RuntimeException e) {
      service.stop();
      String log = readQuietly(profile.resolve("chromedriver.log"));
      ProcessReaper.delete(profile);
      throw new IllegalStateException(
          "Chromium "
              + chromium
              + " did not start through "
              + chromedriver
              + ": "
              + e.getMessage()
              + "\nchromedriver log:\n"
              + log,
          e);
    }
  }

  /** The Selenium driver, for everything the helpers here don't cover. */
  public WebDriver driver() {
    return driver;
  }

  /** Loads {@code url} and waits for its load event (Selenium's default page-load strategy). */
  public Chromium open(URI url) {
    driver.get(url.toString());
    return this;
  }

  /** As {@link #open(URI)}. */
  public Chromium open(String url) {
    return open(URI.create(url));
  }

  /** A wait on this browser, bounded by {@code timeout}, for {@code until(...)} conditions. */
  public WebDriverWait await(Duration timeout) {
    return new WebDriverWait(driver, timeout);
  }

  /** Saves a PNG of the viewport to {@code file} (parents created) and returns it. */
  public Path screenshot(Path file) {
    File png = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
    try {
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      return Files.move(png.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Quits the browser and driver and deletes the profile. Idempotent. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      driverProcesses.forEach(ProcessReaper::destroyTree); // normally gone already
      ProcessReaper.delete(profile);
    }
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.SEVERE);
    return logger;
  }

  private static Path binary(String property, String defaultPath) {
    Path path = Path.of(System.getProperty(property, defaultPath));
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(
          property
              + " : "
              + path
              + " (expected: an executable). "
              + "Browser tests need Debian's Chromium and are never skipped. Install it: "
              + INSTALL_HINT);
    }
    return path;
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}

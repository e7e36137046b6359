package io.ssehub.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Ends processes and deletes directories the test kit created, when they are closed and, as a last
 * resort, when the JVM exits (a test run killed by Ctrl-C or a crashed test must not leave
 * redis-server or Chromium running). Only what was registered here is touched.
 */
final class ProcessReaper {
  private static final Set<ProcessHandle> PROCESSES = ConcurrentHashMap.newKeySet();
  private static final Set<Path> DIRECTORIES = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ProcessReaper::reapAll, "ssehub-testkit-reaper"));
  }

  private ProcessReaper() {}

  static void register(Process process) {
    PROCESSES.add(process.toHandle());
  }

  static void unregister(Process process) {
    PROCESSES.remove(process.toHandle());
  }

  /** For processes started by a library (chromedriver, by Selenium); they and theirs are ended. */
  static void register(ProcessHandle process) {
    PROCESSES.add(process);
  }

  /** Ends {@code process} and its descendants now, if still alive, and forgets it. */
  static void destroyTree(ProcessHandle process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    PROCESSES.remove(process);
  }

  static void register(Path directory) {
    DIRECTORIES.add(directory);
  }

  /** Deletes {@code directory} and everything under it, and forgets it. */
  static void delete(Path directory) {
    DIRECTORIES.remove(directory);
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete " + directory, e);
    }
  }

  private static void reapAll() {
    for (ProcessHandle process : PROCESSES) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    for (Path directory : DIRECTORIES) {
      try {
        delete(directory);
      } catch (RuntimeException ignored) {
        // Best effort while the JVM exits; a process may still hold a file for a moment.
      }
    }
  }
}

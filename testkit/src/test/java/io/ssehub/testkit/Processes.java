package io.ssehub.testkit;

import java.util.List;
import java.util.stream.Collectors;

/** What this JVM left running, for tests that check the test kit cleans up after itself. */
final class Processes {
  private Processes() {}

  /** Live descendants of this JVM whose command contains {@code name}, as "pid command". */
  static List<String> descendants(String name) {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().orElse("").contains(name))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
        .collect(Collectors.toList());
  }

  static List<String> redisServers() {
    return descendants("redis-server");
  }

  static void restoreProperty(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}

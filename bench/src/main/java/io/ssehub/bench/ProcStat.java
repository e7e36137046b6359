package io.ssehub.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time and memory of a process and its descendants, from {@code /proc} (Linux only): nginx
 * serves from worker processes under its master, so "the hub" is a process tree.
 *
 * <p>CPU is {@code utime + stime} of {@code /proc/PID/stat} (clock ticks, converted with {@code
 * getconf CLK_TCK}); memory is {@code VmRSS} of {@code /proc/PID/status}, summed, and {@code Pss}
 * of {@code /proc/PID/smaps_rollup}, which splits shared pages (nginx's shared memory zone) between
 * the processes that map them instead of counting them once per process.
 */
final class ProcStat {
  private static final long TICK_NANOS = 1_000_000_000L / clockTicks();

  /** One reading of a process tree. */
  record Sample(long cpuNanos, long rssKb, long pssKb, int processes) {}

  private ProcStat() {}

  /** The processes and their descendants, summed. */
  static Sample sample(List<Long> pids) {
    long cpu = 0;
    long rss = 0;
    long pss = 0;
    int processes = 0;
    for (long pid : pids) {
      Sample one = sample(pid);
      cpu += one.cpuNanos();
      rss += one.rssKb();
      pss += one.pssKb();
      processes += one.processes();
    }
    return new Sample(cpu, rss, pss, processes);
  }

  static Sample sample(long pid) {
    List<Long> tree = tree(pid);
    long cpu = 0;
    long rss = 0;
    long pss = 0;
    int found = 0;
    for (long p : tree) {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(p), "stat"));
        // Fields after the command, which is in parentheses and may hold spaces.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        cpu +=
            (Long.parseLong(f[11]) + Long.parseLong(f[12]))
                * TICK_NANOS; // utime, stime: fields 14, 15
        rss += kb(Path.of("/proc", Long.toString(p), "status"), "VmRSS:");
        pss += kb(Path.of("/proc", Long.toString(p), "smaps_rollup"), "Pss:");
        found++;
      } catch (IOException | RuntimeException e) {
        // the process ended between listing and reading: it counts no more
      }
    }
    if (found == 0) {
      throw new IllegalStateException(
          "hub-pid: " + pid + " (expected: a running process, no /proc/" + pid + "/stat)");
    }
    return new Sample(cpu, rss, pss, found);
  }

  /**
   * CPU time all processes of the machine spent busy (user, nice, system, irq, softirq, steal of
   * the {@code cpu} line of /proc/stat), in nanoseconds; -1 if unknown. What the hub and the
   * generator did not use of it, other processes did: other engineers' builds disturb a run.
   */
  static long machineBusyNanos() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += Long.parseLong(f[i]);
      }
      return busy * TICK_NANOS;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** This JVM's CPU time, all threads. */
  static long selfCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The process and its descendants, by the parent pid field of every /proc/N/stat. */
  static List<Long> tree(long root) {
    List<long[]> all = new ArrayList<>(); // {pid, ppid}
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      entries
          .map(p -> p.getFileName().toString())
          .filter(name -> !name.isEmpty() && name.chars().allMatch(Character::isDigit))
          .forEach(
              name -> {
                try {
                  String stat = Files.readString(Path.of("/proc", name, "stat"));
                  String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                  all.add(new long[] {Long.parseLong(name), Long.parseLong(f[1])});
                } catch (IOException | RuntimeException e) {
                  // gone meanwhile
                }
              });
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
    }
    List<Long> tree = new ArrayList<>();
    tree.add(root);
    for (int i = 0; i < tree.size() && i < 10_000; i++) {
      long parent = tree.get(i);
      for (long[] pp : all) {
        if (pp[1] == parent) {
          tree.add(pp[0]);
        }
      }
    }
    return tree;
  }

  /** The open-file limit of this process (soft), from /proc/self/limits; -1 if unknown. */
  static long openFileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] f = line.substring("Max open files".length()).trim().split("\\s+");
          return "unlimited".equals(f[0]) ? Long.MAX_VALUE : Long.parseLong(f[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  private static long kb(Path file, String key) throws IOException {
    if (!Files.isReadable(file)) {
      return 0;
    }
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
      }
    }
    return 0;
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      long ticks = Long.parseLong(out);
      return ticks > 0 ? ticks : 100;
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}

package io.ssehub.core;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker of a single node: delivery within the process, and a ring of recent events per
 * channel.
 *
 * <p>Ids it gives are decimal numbers counting up per channel ({@code 1}, {@code 2}, ...), never
 * reused for a channel while the process lives: one channel's ids tell nothing of what is published
 * on the others (a public subscriber cannot count the events of private channels). A channel whose
 * every event expired is forgotten, and its counter with it; when it is published to again its ids
 * go on from above any it gave before (see {@link #floors}). History is lost when the process ends:
 * a client resuming against a restarted node gets a {@linkplain SseEvent#HISTORY_CUT_TYPE cut}.
 *
 * <p>History is bounded by count and age per channel, and by bytes per channel and for the whole
 * broker (oldest events leave first; a client resuming from an id that left gets the usual cut): a
 * publisher granted one channel cannot fill the heap with large events. The bytes of an event are
 * counted as it sits on the heap at most: two per character of its data, type, id and tags, plus
 * {@value #EVENT_OVERHEAD_BYTES}.
 *
 * <p>Each channel's publishes are serialized: a channel's log is locked while an event is stored
 * and handed to the listener, which is what keeps every stream in publish order and makes storing
 * and delivering one step (ARCHITECTURE.md invariants 3 and 5).
 */
public final class MemoryBroker implements Broker {
  /** The default number of events kept per channel. */
  public static final int DEFAULT_HISTORY_SIZE = 1000;

  /** The default age after which events leave history. */
  public static final Duration DEFAULT_HISTORY_TTL = Duration.ofHours(1);

  /** The default bound on the bytes of one channel's history: 64 MiB. */
  public static final long DEFAULT_HISTORY_MAX_BYTES = 64L * 1024 * 1024;

  /** What an event costs beyond its text, counted in its bytes (the objects holding it). */
  static final int EVENT_OVERHEAD_BYTES = 96;

  /**
   * The default bound on the bytes of every channel's history together: an eighth of the JVM's
   * maximum heap, so that history and what waits for slow clients (a quarter by default, {@link
   * SseHub.Builder#maxTotalPendingBytes}) stay well under the heap together.
   */
  public static long defaultHistoryMaxTotalBytes() {
    return Runtime.getRuntime().maxMemory() / 8;
  }

  /**
   * The marker for "before the first event" that {@link History#lastId} gives for an empty channel.
   */
  static final String BEGINNING = "0";

  private static final int FLOOR_SLOTS = 4096;

  private final int historySize;
  private final long historyMaxBytes;
  private final long historyMaxTotalBytes;
  private final long historyTtlMillis;
  private final Clock clock;
  private final Map<String, ChannelLog> logs = new ConcurrentHashMap<>();
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();

  /**
   * Where the counters of new channel logs start, per slot of a hash of the channel's name: the
   * highest id given by any forgotten channel of that slot. So a channel that is forgotten and
   * published to again never gives an id twice, in bounded memory, and a new channel's first id
   * says at most something about channels long quiet that share its slot by a seed of this process.
   */
  private final long[] floors = new long[FLOOR_SLOTS];

  private final int floorSeed = ThreadLocalRandom.current().nextInt();
  private final AtomicLong publishCount = new AtomicLong();

  /** The bytes of every retained event, all channels together. */
  private final AtomicLong totalBytes = new AtomicLong();

  /**
   * Orders events across channels, so that the node's bound drops the oldest first; never sent
   * anywhere.
   */
  private final AtomicLong sequence = new AtomicLong();

  /** One trim over all channels at a time. */
  private final Object nodeTrim = new Object();

  private final History history = new MemoryHistory();
  private volatile Listener listener;
  private volatile boolean closed;

  /**
   * A broker keeping {@value #DEFAULT_HISTORY_SIZE} events per channel for one hour, within the
   * default byte bounds.
   */
  public MemoryBroker() {
    this(DEFAULT_HISTORY_SIZE, DEFAULT_HISTORY_TTL, Clock.systemUTC());
  }

  /**
   * A broker keeping at most {@code historySize} events per channel (0 keeps none), each for at
   * most {@code historyTtl}, aged by {@code clock}, within the default byte bounds ({@value
   * #DEFAULT_HISTORY_MAX_BYTES} per channel, {@link #defaultHistoryMaxTotalBytes()} in all).
   */
  public MemoryBroker(int historySize, Duration historyTtl, Clock clock) {
    this(historySize, DEFAULT_HISTORY_MAX_BYTES, defaultHistoryMaxTotalBytes(), historyTtl, clock);
  }

  /**
   * A broker keeping at most {@code historySize} events and {@code historyMaxBytes} bytes per
   * channel, {@code historyMaxTotalBytes} bytes over all channels, each event for at most {@code
   * historyTtl}, aged by {@code clock}.
   */
  public MemoryBroker(
      int historySize,
      long historyMaxBytes,
      long historyMaxTotalBytes,
      Duration historyTtl,
      Clock clock) {
    if (historySize < 0) {
      throw new IllegalArgumentException("historySize: " + historySize + " (expected: >= 0)");
    }
    if (historyMaxBytes < 1) {
      throw new IllegalArgumentException(
          "historyMaxBytes: " + historyMaxBytes + " (expected: > 0)");
    }
    if (historyMaxTotalBytes < 1) {
      throw new IllegalArgumentException(
          "historyMaxTotalBytes: " + historyMaxTotalBytes + " (expected: > 0)");
    }
    if (historyTtl.isNegative() || historyTtl.isZero()) {
      throw new IllegalArgumentException("historyTtl: " + historyTtl + " (expected: > 0)");
    }
    this.historySize = historySize;
    this.historyMaxBytes = historyMaxBytes;
    this.historyMaxTotalBytes = historyMaxTotalBytes;
    this.historyTtlMillis = historyTtl.toMillis();
    this.clock = clock;
  }

  /**
   * The bytes of every channel's retained events together, as counted against {@code
   * historyMaxTotalBytes}.
   */
  public long historyBytes() {
    return totalBytes.get();
  }

  @Override
  public void start(Listener listener) {
    this.listener = listener;
  }

  @Override
  public CompletableFuture<SseEvent> publish(String channel, SseEvent event) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new BrokerUnavailableException("the hub is shutting down"));
    }
    long now = clock.millis();
    ChannelLog log = logs.computeIfAbsent(channel, c -> new ChannelLog(floor(c)));
    SseEvent stored;
    synchronized (log) {
      stored = event.id() != null ? event : event.withId(Long.toString(++log.lastId));
      log.append(stored, now);
      Listener current = listener;
      if (current != null && subscribed.contains(channel)) {
        current.onEvent(channel, stored);
      }
    }
    if (totalBytes.get() > historyMaxTotalBytes) {
      trimAllChannels(); // outside the channel's lock: it takes the other channels' locks one by
      // one
    }
    if (publishCount.incrementAndGet() % 1024 == 0) {
      dropExpiredChannels(now);
    }
    return CompletableFuture.completedFuture(stored);
  }

  @Override
  public CompletableFuture<Void> subscribe(String channel) {
    subscribed.add(channel);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String channel) {
    subscribed.remove(channel);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public History history() {
    return history;
  }

  @Override
  public boolean isConnected() {
    return !closed;
  }

  @Override
  public String describe() {
    return "memory (history: "
        + historySize
        + " events, "
        + historyMaxBytes
        + " bytes per channel, "
        + historyMaxTotalBytes
        + " bytes in all, "
        + Duration.ofMillis(historyTtlMillis)
        + ")";
  }

  @Override
  public void close() {
    closed = true;
  }

  /**
   * Forgets channels whose every event has expired, so that one-off channel names do not pile up.
   */
  private void dropExpiredChannels(long now) {
    for (Iterator<Map.Entry<String, ChannelLog>> it = logs.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, ChannelLog> entry = it.next();
      ChannelLog log = entry.getValue();
      synchronized (log) {
        log.expire(now);
        if (log.entries.isEmpty()) {
          raiseFloor(
              entry.getKey(), log.lastId); // before it goes: a new log of this name starts above
          it.remove();
        }
      }
    }
  }

  /**
   * Drops the oldest events of all channels until their bytes are down to nine tenths of {@code
   * historyMaxTotalBytes} (the tenth of slack makes this rare, not once per publish). Channels are
   * ordered by their oldest event, read under each one's lock; a publish meanwhile only adds newer
   * events, so the order holds.
   */
  private void trimAllChannels() {
    synchronized (nodeTrim) {
      long target = historyMaxTotalBytes - historyMaxTotalBytes / 10;
      if (totalBytes.get() <= historyMaxTotalBytes) {
        return; // another publisher trimmed meanwhile
      }
      PriorityQueue<Map.Entry<Long, ChannelLog>> oldest =
          new PriorityQueue<>(Map.Entry.comparingByKey());
      for (ChannelLog log : logs.values()) {
        synchronized (log) {
          if (!log.entries.isEmpty()) {
            oldest.add(Map.entry(log.entries.peekFirst().sequence, log));
          }
        }
      }
      while (totalBytes.get() > target && !oldest.isEmpty()) {
        ChannelLog log = oldest.poll().getValue();
        synchronized (log) {
          if (log.entries.isEmpty()) {
            continue;
          }
          log.removeFirst();
          if (!log.entries.isEmpty()) {
            oldest.add(Map.entry(log.entries.peekFirst().sequence, log));
          }
        }
      }
    }
  }

  private int slot(String channel) {
    int h =
        (channel.hashCode() ^ floorSeed)
            * 0x9E3779B9; // mixed with the seed, so that slots differ per process
    return (h ^ (h >>> 16)) & (FLOOR_SLOTS - 1);
  }

  private long floor(String channel) {
    synchronized (floors) {
      return floors[slot(channel)];
    }
  }

  private void raiseFloor(String channel, long lastId) {
    synchronized (floors) {
      int slot = slot(channel);
      floors[slot] = Math.max(floors[slot], lastId);
    }
  }

  private final class MemoryHistory implements History {
    @Override
    public CompletableFuture<String> lastId(String channel) {
      ChannelLog log = logs.get(channel);
      if (log == null) {
        return CompletableFuture.completedFuture(BEGINNING);
      }
      synchronized (log) {
        log.expire(clock.millis());
        // Even with every event expired, the newest id still says where this client stands.
        return CompletableFuture.completedFuture(log.newestId == null ? BEGINNING : log.newestId);
      }
    }

    @Override
    public CompletableFuture<Replay> after(String channel, String lastEventId) {
      ChannelLog log = logs.get(channel);
      if (log == null) {
        // Nothing was ever published here while this broker lived (or all of it expired long ago).
        return CompletableFuture.completedFuture(
            new Replay(BEGINNING.equals(lastEventId), List.of()));
      }
      synchronized (log) {
        log.expire(clock.millis());
        return CompletableFuture.completedFuture(log.after(lastEventId));
      }
    }
  }

  /** One channel's retained events. Guarded by its own monitor. */
  private final class ChannelLog {
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private String newestId;
    private boolean trimmed;

    /** The last id this log gave; only ever counts up. */
    private long lastId;

    /** The bytes of {@link #entries}. */
    private long bytes;

    ChannelLog(long firstIdAfter) {
      this.lastId = firstIdAfter;
    }

    void append(SseEvent event, long now) {
      newestId = event.id();
      Entry entry = new Entry(event, now, sizeOf(event), sequence.incrementAndGet());
      entries.addLast(entry);
      bytes += entry.bytes;
      totalBytes.addAndGet(entry.bytes);
      while (entries.size() > historySize || bytes > historyMaxBytes) {
        removeFirst();
      }
      expire(now);
    }

    void expire(long now) {
      while (!entries.isEmpty() && entries.peekFirst().storedAtMillis <= now - historyTtlMillis) {
        removeFirst();
      }
    }

    /** Drops the oldest event: a client resuming from it or before gets a cut. */
    void removeFirst() {
      Entry removed = entries.removeFirst();
      bytes -= removed.bytes;
      totalBytes.addAndGet(-removed.bytes);
      trimmed = true;
    }

    Replay after(String lastEventId) {
      List<SseEvent> all = new ArrayList<>(entries.size());
      int foundAt = -1;
      for (Entry entry : entries) {
        all.add(entry.event);
      }
      // Newest first: a publisher that reused an id resumes from its latest use.
      for (int i = all.size() - 1; i >= 0; i--) {
        if (all.get(i).id().equals(lastEventId)) {
          foundAt = i;
          break;
        }
      }
      if (foundAt >= 0) {
        return new Replay(true, all.subList(foundAt + 1, all.size()));
      }
      if (lastEventId.equals(newestId)) {
        return new Replay(true, List.of()); // up to date, though its last event has expired
      }
      return new Replay(BEGINNING.equals(lastEventId) && !trimmed, all);
    }
  }

  private record Entry(SseEvent event, long storedAtMillis, long bytes, long sequence) {}

  /**
   * An event's bytes on the heap, at most: two per character of its text, plus the objects holding
   * it.
   */
  static long sizeOf(SseEvent event) {
    long chars = event.data().length();
    chars += event.type() != null ? event.type().length() : 0;
    chars += event.id() != null ? event.id().length() : 0;
    for (String tag : event.tags()) {
      chars += tag.length() + 16; // each tag is a string of its own
    }
    return 2 * chars + EVENT_OVERHEAD_BYTES;
  }
}

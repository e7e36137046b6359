package io.ssehub.core.internal;

import io.ssehub.core.AccessDecision;
import io.ssehub.core.AccessDeniedException;
import io.ssehub.core.AccessRequest;
import io.ssehub.core.Authorizer;
import io.ssehub.core.Broker;
import io.ssehub.core.BrokerUnavailableException;
import io.ssehub.core.ChannelNames;
import io.ssehub.core.EventTooLargeException;
import io.ssehub.core.HubObserver;
import io.ssehub.core.HubObserver.CloseReason;
import io.ssehub.core.InvalidInputException;
import io.ssehub.core.Replay;
import io.ssehub.core.SseEncoder;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseSink;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.core.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub: streams by channel, fan-out of broker events, the start of resumed streams, keepalives.
 *
 * <p>Each channel with local streams has one broker subscription, taken when its first stream joins
 * and dropped when its last one leaves (ARCHITECTURE.md invariant 1). The join/leave bookkeeping
 * runs inside {@link ConcurrentHashMap#compute}, so that a subscribe and an unsubscribe of one
 * channel reach the broker in the order they happened.
 */
public final class HubEngine implements Broker.Listener {
  private static final Logger log = LoggerFactory.getLogger(HubEngine.class);

  /**
   * How often the bytes waiting for all streams together are added up ({@link #boundPendingBytes}).
   */
  static final long PENDING_SWEEP_MILLIS = 100;

  /** The lane of sinks that have none: events are handed to them on the fan-out's own thread. */
  static final Executor DIRECT = Runnable::run;

  private final Broker broker;
  private final Authorizer authorizer;
  private final long maxPendingBytes;
  private final long maxTotalPendingBytes;
  private final long maxEventBytes;
  private final int maxChannelsPerStream;
  private final byte[] preamble;
  private final byte[] goodbye;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final ScheduledFuture<?> keepaliveTask;
  private final ScheduledFuture<?> pendingSweep;

  /**
   * The tasks run on the scheduler again and again: readiness watches them ({@link
   * #upkeepHealthy}).
   */
  private final List<PeriodicTask> periodicTasks = new ArrayList<>();

  private final Map<String, ChannelGroup> groups = new ConcurrentHashMap<>();
  private final Set<HubStream> streams = ConcurrentHashMap.newKeySet();
  private final AtomicLong slowConsumerCuts = new AtomicLong();

  /** Deliveries handed to lanes and not yet to their streams. */
  private final LongAdder queuedDeliveries = new LongAdder();

  /** The bytes of those deliveries: what they will add to their streams' queues. */
  private final LongAdder queuedBytes = new LongAdder();

  /** Guarded: a failing observer is logged and ignored. */
  private final HubObserver observer;

  private volatile boolean closed;

  /** Set by {@link #drain}: streams are ending, new ones are told to come back later. */
  private volatile long drainingUntilMillis;

  public HubEngine(
      Broker broker,
      Authorizer authorizer,
      Duration keepalive,
      Duration reconnectDelay,
      long maxPendingBytes,
      long maxTotalPendingBytes,
      long maxEventBytes,
      int maxChannelsPerStream,
      ScheduledExecutorService scheduler,
      boolean ownsScheduler,
      HubObserver observer) {
    this.observer = GuardedObserver.of(observer);
    this.broker = broker;
    this.authorizer = authorizer;
    this.maxPendingBytes = maxPendingBytes;
    this.maxTotalPendingBytes = maxTotalPendingBytes;
    this.maxEventBytes = maxEventBytes;
    this.maxChannelsPerStream = maxChannelsPerStream;
    this.preamble = SseEncoder.retry(reconnectDelay.toMillis());
    this.goodbye = SseEncoder.comment("ssehub is shutting down; reconnect");
    this.scheduler = scheduler;
    this.ownsScheduler = ownsScheduler;
    broker.start(this);
    if (keepalive.isZero()) {
      this.keepaliveTask = null;
    } else {
      PeriodicTask keepalives = periodic("keepalives", this::sendKeepalives, keepalive.toMillis());
      this.keepaliveTask =
          scheduler.scheduleAtFixedRate(
              keepalives, keepalive.toMillis(), keepalive.toMillis(), TimeUnit.MILLISECONDS);
    }
    PeriodicTask sweep =
        periodic("pending-bytes sweep", this::boundPendingBytes, PENDING_SWEEP_MILLIS);
    this.pendingSweep =
        scheduler.scheduleWithFixedDelay(
            sweep, PENDING_SWEEP_MILLIS, PENDING_SWEEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  private PeriodicTask periodic(String name, Runnable body, long intervalMillis) {
    PeriodicTask task = new PeriodicTask(name, body, intervalMillis);
    periodicTasks.add(task);
    return task;
  }

  // ---- publishing

  public CompletableFuture<SseEvent> publish(String channel, SseEvent event) {
    ChannelNames.validate(channel);
    if (event.type() != null && event.type().startsWith(SseEvent.RESERVED_TYPE_PREFIX)) {
      throw new InvalidInputException(
          "type",
          "types starting with \"" + SseEvent.RESERVED_TYPE_PREFIX + "\" are reserved for ssehub");
    }
    if (event.id() != null) {
      validatePublisherId(event.id());
    }
    long size = encodedSizeBound(event);
    if (size > maxEventBytes) {
      throw new EventTooLargeException(size, maxEventBytes);
    }
    if (closed) {
      return CompletableFuture.failedFuture(
          new BrokerUnavailableException("the hub is shutting down"));
    }
    CompletableFuture<SseEvent> stored = broker.publish(channel, event);
    if (observer != HubObserver.NONE) {
      stored.thenRun(() -> observer.eventPublished(channel));
    }
    return stored;
  }

  /**
   * Refuses a publisher's id that a client could not send back, or that would read as a cursor: at
   * most {@link SseEvent#MAX_ID_LENGTH} as it travels in a cursor, so that the cursor of any stream
   * this hub accepts fits a {@code Last-Event-ID} header ({@link Cursor#MAX_LENGTH}); and not
   * starting with {@link Cursor#MARK}.
   */
  static void validatePublisherId(String id) {
    if (id.charAt(0) == Cursor.MARK) {
      throw new InvalidInputException(
          "id",
          "must not start with \""
              + Cursor.MARK
              + "\", which marks the ids of streams over several channels (got "
              + InvalidInputException.quote(id)
              + ")");
    }
    int length = Cursor.escapedLength(id);
    if (length > SseEvent.MAX_ID_LENGTH) {
      throw new InvalidInputException(
          "id",
          "is "
              + length
              + " bytes long as sent to clients (expected: at most "
              + SseEvent.MAX_ID_LENGTH
              + "; each byte of a space, control, non-ASCII, ',' or '%' character counts 3)");
    }
  }

  /** Called by the broker for each event of a channel this node subscribed to. */
  @Override
  public void onEvent(String channel, SseEvent event) {
    ChannelGroup group = groups.get(channel);
    if (group == null) {
      return;
    }
    synchronized (group) {
      if (group.catchingUp) {
        group.held.add(event); // after a reconnect: delivered once the missed events are
        return;
      }
      deliver(group, channel, event);
    }
  }

  /**
   * Encodes once and hands the bytes to every stream of the channel: one task per lane, each
   * offering the event to that lane's streams on the lane's thread. Under the group's lock, so that
   * the lanes get a channel's events in order; the lanes run them in that order (ARCHITECTURE.md
   * invariants 2 and 3).
   */
  private void deliver(ChannelGroup group, String channel, SseEvent event) {
    if (event.id() != null) {
      group.lastEventId = event.id();
    }
    EncodedEvent encoded = new EncodedEvent(channel, event);
    FanOut fanOut = new FanOut(channel);
    for (Map.Entry<Executor, Set<HubStream>> lane : group.lanes.entrySet()) {
      Set<HubStream> members = lane.getValue();
      fanOut.laneStarted();
      runOnLane(
          lane.getKey(),
          members,
          encoded.size(),
          () -> fanOut.laneDone(offerAll(members, encoded)),
          () -> fanOut.laneDone(0));
    }
    fanOut.laneDone(0); // the handing out itself: the observer hears once every lane is done too
  }

  /** Offers an event to streams of one lane, on that lane; returns how many took it. */
  private static int offerAll(Set<HubStream> members, EncodedEvent encoded) {
    int offered = 0;
    for (HubStream stream : members) {
      try {
        stream.offer(encoded);
        offered++;
      } catch (Throwable e) {
        // One broken stream (its sink, or its filter, errors included) must not keep the event from
        // the others (ARCHITECTURE.md invariant 8).
        stream.fail(e);
      }
    }
    return offered;
  }

  /**
   * Runs {@code task} on {@code lane}, counting the lane's streams as queued deliveries (of {@code
   * bytesEach} bytes) until it ran. A lane left without streams, or one that no longer runs tasks
   * (its transport is shutting down and closes those streams), runs {@code notRun} here instead: a
   * stream joining meanwhile is handed nothing from another thread than its lane's.
   */
  private void runOnLane(
      Executor lane, Set<HubStream> members, long bytesEach, Runnable task, Runnable notRun) {
    if (lane == DIRECT) {
      task.run();
      return;
    }
    int queued = members.size();
    if (queued == 0) {
      notRun.run();
      return;
    }
    long bytes = queued * bytesEach;
    queuedDeliveries.add(queued);
    queuedBytes.add(bytes);
    try {
      lane.execute(
          () -> {
            queuedDeliveries.add(-queued);
            queuedBytes.add(-bytes);
            task.run();
          });
    } catch (RejectedExecutionException e) {
      queuedDeliveries.add(-queued);
      queuedBytes.add(-bytes);
      notRun.run();
    }
  }

  /**
   * One event's fan-out over the lanes: the observer hears of it once, when the handing out and
   * every lane it reached are done. Counted up as lanes are reached, since a lane may be added
   * while the lanes are walked.
   */
  private final class FanOut {
    private final String channel;
    private final long start = System.nanoTime();

    /** The lanes reached and not yet done, plus one for the handing out. */
    private final AtomicInteger pending = new AtomicInteger(1);

    private final AtomicInteger offered = new AtomicInteger();

    FanOut(String channel) {
      this.channel = channel;
    }

    void laneStarted() {
      pending.incrementAndGet();
    }

    void laneDone(int streams) {
      if (streams > 0) {
        offered.addAndGet(streams);
      }
      if (pending.decrementAndGet() == 0) {
        observer.eventDelivered(channel, offered.get(), System.nanoTime() - start);
      }
    }
  }

  /**
   * The broker lost or regained its connection. While it was away, other nodes may have published
   * (their Redis link was up): those events are in history but never arrived here. So from the loss
   * on, each channel holds back live events, and on return it first delivers what history has after
   * the last event it delivered, then the held-back events it did not already replay. Streams stay
   * open through it. Where history no longer holds that last event (Redis restarted empty, or
   * trimmed it), each stream gets the same {@linkplain SseEvent#HISTORY_CUT_TYPE cut notice} a
   * resuming client would, and moves on from what history holds now (ARCHITECTURE.md invariant 7).
   */
  @Override
  public void onConnectionChanged(boolean connected) {
    log.info("Broker {} {}", broker.describe(), connected ? "connected" : "disconnected");
    observer.brokerConnectionChanged(connected);
    for (Map.Entry<String, ChannelGroup> entry : groups.entrySet()) {
      ChannelGroup group = entry.getValue();
      if (connected) {
        catchUp(entry.getKey(), group);
      } else {
        synchronized (group) {
          group.catchingUp = true;
          group.generation++;
        }
      }
    }
  }

  private void catchUp(String channel, ChannelGroup group) {
    String from;
    long generation;
    synchronized (group) {
      if (!group.catchingUp) {
        return;
      }
      from = group.lastEventId;
      generation = group.generation;
    }
    CompletableFuture<Replay> missed =
        from == null
            ? CompletableFuture.completedFuture(new Replay(true, List.of()))
            : broker.history().after(channel, from);
    missed
        .thenCompose(
            replay ->
                replay.complete()
                    ? CompletableFuture.completedFuture(new CatchUp(replay, null))
                    : broker.history().lastId(channel).thenApply(head -> new CatchUp(replay, head)))
        .whenComplete(
            (catchUp, failure) -> {
              synchronized (group) {
                if (group.generation != generation) {
                  return; // the link dropped again meanwhile: the next return catches up
                }
                group.catchingUp = false;
                List<SseEvent> held = group.held;
                group.held = new ArrayList<>();
                if (failure != null) {
                  log.warn(
                      "Channel {}: cannot read what was missed while the broker was away ({}); ending its {} streams,"
                          + " their clients resume by id",
                      channel,
                      failure.toString(),
                      group.size());
                  for (Set<HubStream> lane : group.lanes.values()) {
                    for (HubStream stream : lane) {
                      stream.end(goodbye, CloseReason.FAILED);
                    }
                  }
                  return;
                }
                if (catchUp.head != null) {
                  log.warn(
                      "Channel {}: history no longer holds {}, the last event delivered here; telling {} streams",
                      channel,
                      from,
                      group.size());
                  group.lastEventId = catchUp.head;
                  for (Map.Entry<Executor, Set<HubStream>> lane : group.lanes.entrySet()) {
                    Set<HubStream> members = lane.getValue();
                    // On the lanes, as events are: after the events delivered before it, before
                    // those after.
                    runOnLane(
                        lane.getKey(),
                        members,
                        0,
                        () -> {
                          for (HubStream stream : members) {
                            try {
                              stream.historyCut(channel, from, catchUp.head);
                            } catch (Throwable e) {
                              stream.fail(e);
                            }
                          }
                        },
                        () -> {});
                  }
                }
                Set<String> replayed = new HashSet<>();
                for (SseEvent event : catchUp.replay.events()) {
                  replayed.add(event.id());
                  deliver(group, channel, event);
                }
                for (SseEvent event : held) {
                  if (event.id() == null || !replayed.contains(event.id())) {
                    deliver(group, channel, event);
                  }
                }
              }
            });
  }

  /** What history says a channel missed; {@code head} is set when the replay is not complete. */
  private record CatchUp(Replay replay, String head) {}

  // ---- streams

  public Subscription subscribe(SubscribeRequest request, SseSink sink) {
    if (closed) {
      observer.streamClosed(CloseReason.SHUTDOWN);
      throw new BrokerUnavailableException("the hub is shutting down");
    }
    List<String> channels = request.channels();
    if (channels.size() > maxChannelsPerStream) {
      observer.streamClosed(CloseReason.LIMIT);
      throw new InvalidInputException(
          "channel",
          "a stream may read at most "
              + maxChannelsPerStream
              + " channels (got "
              + channels.size()
              + ")");
    }
    long cursorLength =
        channels.size() > 1 ? Cursor.maxLength(channels, SseEvent.MAX_ID_LENGTH) : 0;
    if (cursorLength > Cursor.MAX_LENGTH) {
      // Its Last-Event-ID could outgrow the header limit, and a client refused with 431 on resume
      // stops for good.
      observer.streamClosed(CloseReason.LIMIT);
      throw new InvalidInputException(
          "channel",
          "the id of a stream over these "
              + channels.size()
              + " channels could be "
              + cursorLength
              + " bytes long (expected: at most "
              + Cursor.MAX_LENGTH
              + ": fewer channels, or shorter names)");
    }
    try {
      if (!request
          .isReserved()) { // a reserved channel's front door has authorized the client itself
        authorize(
            new AccessRequest(
                AccessRequest.Action.SUBSCRIBE,
                channels,
                request.principal(),
                request.remoteAddress()));
      }
    } catch (AccessDeniedException e) {
      observer.streamClosed(CloseReason.REFUSED);
      throw e;
    }
    HubStream stream = new HubStream(this, channels, sink, request.filter(), !request.isReserved());
    // A front door's stream (Mercure) writes nothing before it is subscribed, then a comment (see
    // HubStream.announcesPosition): its protocol has no retry hint or position line up front.
    stream.open(request.isReserved() ? null : preamble);
    if (drainingUntilMillis != 0) {
      // The node is going away: come back after a spread-out delay, to another node then. A 200
      // that ends, rather than a 503, because EventSource gives up for good on an error status.
      observer.streamOpened(channels);
      stream.end(drainHint(), CloseReason.SHUTDOWN);
      return stream;
    }
    streams.add(stream);
    observer.streamOpened(channels);
    CompletableFuture<?>[] joined = new CompletableFuture<?>[channels.size()];
    for (int i = 0; i < joined.length; i++) {
      joined[i] = join(channels.get(i), stream);
    }
    // Joined first, history read after: no event falls between the two (ARCHITECTURE.md invariant
    // 6).
    CompletableFuture.allOf(joined)
        .thenCompose(ignored -> readHistory(channels, request.lastEventId()))
        .whenComplete(
            (start, failure) -> {
              if (failure != null) {
                log.warn("Could not start stream on {}: {}", channels, failure.toString());
                stream.end(null, CloseReason.START_FAILED);
              } else {
                if (!start.resumedFrom.isEmpty()) {
                  int replayed = 0;
                  for (Replay replay : start.replays.values()) {
                    replayed += replay.events().size();
                  }
                  observer.historyReplayed(replayed);
                }
                // On the stream's lane, behind the events handed to that lane before: those reach
                // the
                // stream while it is starting, held back and checked against the replay.
                try {
                  stream
                      .lane()
                      .execute(
                          () -> stream.startGuarded(start.resumedFrom, start.replays, start.heads));
                } catch (RejectedExecutionException e) {
                  stream.end(null, CloseReason.START_FAILED); // its transport is shutting down
                }
              }
            });
    if (closed) {
      stream.end(goodbye, CloseReason.SHUTDOWN);
    }
    return stream;
  }

  /** Asks the authorizer; a refusal, or an authorizer that fails, is thrown. */
  public void authorize(AccessRequest request) {
    AccessDecision decision;
    try {
      decision = authorizer.authorize(request);
    } catch (RuntimeException e) {
      log.error("Authorizer failed on {}; refusing", request, e);
      decision = AccessDecision.forbidden("authorization failed");
    }
    if (decision == null || !decision.allowed()) {
      throw new AccessDeniedException(
          decision != null ? decision : AccessDecision.forbidden("not allowed"));
    }
  }

  private CompletableFuture<Void> join(String channel, HubStream stream) {
    ChannelGroup[] created = new ChannelGroup[1];
    ChannelGroup group =
        groups.compute(
            channel,
            (name, existing) -> {
              if (stream.isClosed()) {
                return existing; // closed while joining: removed() has run, or will find nothing to
                // remove
              }
              ChannelGroup g = existing;
              if (g == null) {
                g =
                    new ChannelGroup(
                        broker.subscribe(name),
                        new SharedRead<>(() -> broker.history().lastId(name)),
                        new SharedReads<>(from -> broker.history().after(name, from)));
                created[0] = g;
              }
              g.add(stream);
              return g;
            });
    if (created[0] != null) {
      watch(channel, created[0]); // outside compute: a callback that runs at once may touch the map
    }
    return group != null ? group.subscribed : CompletableFuture.completedFuture(null);
  }

  /**
   * Follows a new channel subscription: notes where the channel's history stands, so that a
   * reconnect can catch up even before the channel's first event; and if the subscription fails,
   * drops the group, so that the next stream subscribes afresh instead of inheriting the failure
   * (the group's streams end, as their start fails).
   */
  private void watch(String channel, ChannelGroup group) {
    group.subscribed.whenComplete(
        (ignored, failure) -> {
          if (failure != null) {
            groups.remove(channel, group);
          }
        });
    group
        .subscribed
        .thenCompose(ignored -> group.head.get())
        .thenAccept(
            head -> {
              synchronized (group) {
                if (group.lastEventId == null) {
                  group.lastEventId = head;
                }
              }
            });
  }

  /**
   * A stream ended, whichever way: it leaves its channels, and the last one out unsubscribes
   * (ARCHITECTURE.md invariant 1).
   */
  void removed(HubStream stream) {
    streams.remove(stream);
    for (String channel : stream.channels()) {
      groups.computeIfPresent(
          channel,
          (name, group) -> {
            if (group.removeAndCheckEmpty(stream)) {
              broker.unsubscribe(name);
              return null;
            }
            return group;
          });
    }
  }

  /**
   * The channel's newest history id, read after the caller joined the channel: shared with the
   * other streams that start meanwhile (see {@link SharedRead}).
   */
  private CompletableFuture<String> headOf(String channel) {
    ChannelGroup group = groups.get(channel);
    return group != null
        ? group.head.get()
        : broker.history().lastId(channel); // left already: any read will do
  }

  /**
   * The channel's events after {@code from}, read after the caller joined; shared likewise, per id.
   */
  private CompletableFuture<Replay> replayOf(String channel, String from) {
    ChannelGroup group = groups.get(channel);
    return group != null ? group.replays.get(from) : broker.history().after(channel, from);
  }

  /**
   * What a stream needs before it goes live: replays of the channels it resumes, heads of the
   * others.
   */
  private CompletableFuture<StartPlan> readHistory(List<String> channels, String lastEventId) {
    Map<String, String> resumedFrom = resumePositions(channels, lastEventId);
    StartPlan plan = new StartPlan(resumedFrom);
    CompletableFuture<?>[] reads = new CompletableFuture<?>[channels.size()];
    for (int i = 0; i < reads.length; i++) {
      String channel = channels.get(i);
      String from = resumedFrom.get(channel);
      if (from == null) {
        reads[i] = headOf(channel).thenAccept(head -> plan.head(channel, head));
      } else {
        reads[i] =
            replayOf(channel, from)
                .thenCompose(
                    replay -> {
                      plan.replay(channel, replay);
                      if (!replay.complete() && replay.events().isEmpty()) {
                        // Nothing retained after a lost position: start from the newest, or every
                        // reconnect is cut again.
                        return headOf(channel).thenAccept(head -> plan.head(channel, head));
                      }
                      return CompletableFuture.completedFuture(null);
                    });
      }
    }
    return CompletableFuture.allOf(reads).thenApply(ignored -> plan);
  }

  /**
   * Where the client stands in each channel. A stream over one channel sends its events' own ids;
   * over several, a {@link Cursor}, which starts with a mark no plain id has. A plain id on a
   * stream over several channels is looked for in each of them (unless it is an unmarked cursor of
   * an older version); a cursor on a stream over one channel is used for that channel if the cursor
   * names it. Channels the id says nothing about start fresh.
   */
  static Map<String, String> resumePositions(List<String> channels, String lastEventId) {
    Map<String, String> from = new HashMap<>();
    if (lastEventId == null) {
      return from;
    }
    Map<String, String> cursor = Cursor.parse(lastEventId);
    if (channels.size() == 1) {
      String channel = channels.get(0);
      String position = cursor != null ? cursor.get(channel) : null;
      from.put(channel, position != null ? position : lastEventId);
      return from;
    }
    if (cursor == null) {
      cursor = Cursor.parseUnmarked(lastEventId);
    }
    for (String channel : channels) {
      String position = cursor != null ? cursor.get(channel) : lastEventId;
      if (position != null) {
        from.put(channel, position);
      }
    }
    return from;
  }

  // ---- upkeep

  /** Sends a keepalive comment to every stream that was idle since the previous sweep. */
  public void sendKeepalives() {
    for (HubStream stream : streams) {
      try {
        stream.keepalive();
      } catch (Throwable e) {
        stream.fail(e);
      }
    }
  }

  /**
   * Whether every periodic task (the pending-bytes sweep, keepalives) succeeded within its last few
   * intervals: false while one keeps failing or the scheduler no longer gets to it. Without the
   * sweep, nothing bounds what the node's streams hold together.
   */
  public boolean upkeepHealthy() {
    if (closed) {
      return true; // the tasks were cancelled on purpose; readiness says closed otherwise
    }
    for (PeriodicTask task : periodicTasks) {
      if (!task.healthy()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The bytes waiting for one stream; a sink that throws even for that is cut, and counts nothing.
   */
  private static long pendingOf(HubStream stream) {
    try {
      return stream.pendingBytes();
    } catch (Throwable e) {
      stream.fail(e);
      return 0;
    }
  }

  /**
   * Cuts the streams furthest behind while the bytes waiting for all of this node's clients add up
   * to more than {@code maxTotalPendingBytes}, until half of it is left; they resume by id. Why:
   * each stream's own limit bounds one client, but not thousands of them together, and events that
   * other nodes publish through the broker reach this node however far behind it runs (push-back
   * slows only the publishers that come through it). Events handed to lanes and not yet to their
   * streams count too: cut streams take no more of them (bench/RESULTS.md has what a node held
   * without this bound). Runs on the scheduler's thread (ARCHITECTURE.md invariant 9).
   */
  void boundPendingBytes() {
    long total = queuedBytes.sum(); // on their way to the streams' queues
    for (HubStream stream : streams) {
      total += pendingOf(stream);
    }
    if (total <= maxTotalPendingBytes) {
      return;
    }
    // Sorted on a snapshot: the counts move while this runs.
    List<Map.Entry<HubStream, Long>> behind = new ArrayList<>();
    for (HubStream stream : streams) {
      behind.add(Map.entry(stream, pendingOf(stream)));
    }
    behind.sort(Map.Entry.<HubStream, Long>comparingByValue().reversed());
    long before = total;
    String why =
        before + " bytes pending for this node's streams (at most " + maxTotalPendingBytes + ")";
    long left = maxTotalPendingBytes / 2;
    int cut = 0;
    for (Map.Entry<HubStream, Long> entry : behind) {
      if (total <= left || entry.getValue() == 0) {
        break;
      }
      if (entry.getKey().cutBehind(why)) {
        cut++;
      }
      total -= entry.getValue();
    }
    log.warn(
        "{} bytes waited for this node's {} streams, more than {}: cut the {} furthest behind; they resume by id",
        before,
        behind.size(),
        maxTotalPendingBytes,
        cut);
  }

  public long maxEventBytes() {
    return maxEventBytes;
  }

  long maxPendingBytes() {
    return maxPendingBytes;
  }

  void slowConsumerCut() {
    slowConsumerCuts.incrementAndGet();
  }

  /** A stream ended: once per stream, after its state became {@code CLOSED}. */
  void streamClosed(CloseReason reason) {
    observer.streamClosed(reason);
  }

  /** Deliveries of events handed to the streams' lanes that the lanes have not run yet. */
  public long queuedDeliveries() {
    return queuedDeliveries.sum();
  }

  public long slowConsumerCuts() {
    return slowConsumerCuts.get();
  }

  public int streamCount() {
    return streams.size();
  }

  /** Channels with at least one local stream: the broker subscriptions this node holds. */
  public Set<String> subscribedChannels() {
    return Set.copyOf(groups.keySet());
  }

  /** Streams per channel with at least one; read without locks, so a snapshot of a moving state. */
  public Map<String, Integer> channelStreamCounts() {
    Map<String, Integer> counts = new HashMap<>();
    groups.forEach(
        (channel, group) -> {
          int streams = group.size();
          if (streams > 0) {
            counts.put(channel, streams);
          }
        });
    return Map.copyOf(counts);
  }

  public Broker broker() {
    return broker;
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Ends every stream at a random moment within {@code window}, each with the usual goodbye, so
   * that their clients reconnect (to other nodes, once readiness has turned false) spread over the
   * window rather than all at once; streams asked for meanwhile end at once with a {@code retry:}
   * spread over what is left of the window. Publishing goes on. Completes when every stream has
   * ended (at the latest when the window has passed). {@link #close()} follows.
   */
  public CompletableFuture<Void> drain(Duration window) {
    long windowMillis = Math.max(0, window.toMillis());
    drainingUntilMillis = System.currentTimeMillis() + Math.max(1, windowMillis);
    List<HubStream> draining = List.copyOf(streams);
    CompletableFuture<?>[] ended = new CompletableFuture<?>[draining.size()];
    for (int i = 0; i < ended.length; i++) {
      HubStream stream = draining.get(i);
      long at = windowMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(windowMillis);
      CompletableFuture<Void> done = new CompletableFuture<>();
      ended[i] = done;
      try {
        scheduler.schedule(
            () -> {
              try {
                stream.end(goodbye, CloseReason.SHUTDOWN);
              } catch (Throwable e) {
                stream.fail(e);
              } finally {
                done.complete(null); // a stream whose sink threw must not hold the drain up
              }
            },
            at,
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closedAlready) {
        stream.end(goodbye, CloseReason.SHUTDOWN);
        done.complete(null);
      }
    }
    log.info("Draining {} streams over {} ms", ended.length, windowMillis);
    return CompletableFuture.allOf(ended);
  }

  /**
   * A {@code retry:} for a stream that arrives while draining: somewhere in what is left of the
   * window.
   */
  private byte[] drainHint() {
    long left = Math.max(1, drainingUntilMillis - System.currentTimeMillis());
    byte[] retry = SseEncoder.retry(ThreadLocalRandom.current().nextLong(left) + 1);
    byte[] both = new byte[retry.length + goodbye.length];
    System.arraycopy(retry, 0, both, 0, retry.length);
    System.arraycopy(goodbye, 0, both, retry.length, goodbye.length);
    return both;
  }

  public boolean isDraining() {
    return drainingUntilMillis != 0;
  }

  /** Refuses new streams and publishes, ends every stream cleanly, then closes the broker. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (keepaliveTask != null) {
      keepaliveTask.cancel(false);
    }
    pendingSweep.cancel(false);
    for (HubStream stream : streams) {
      stream.end(goodbye, CloseReason.SHUTDOWN);
    }
    broker.close();
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  /**
   * An upper bound of the event's encoded size, without encoding it: UTF-8 takes at most three
   * bytes per UTF-16 unit, and each line of data adds {@code "data: "}.
   */
  private static long encodedSizeBound(SseEvent event) {
    long size = utf8Length(event.data()) + 16;
    for (int i = 0; i < event.data().length(); i++) {
      char c = event.data().charAt(i);
      if (c == '\n' || c == '\r') {
        size += 7;
      }
    }
    if (event.type() != null) {
      size += 8 + utf8Length(event.type());
    }
    if (event.id() != null) {
      size += 5 + utf8Length(event.id());
    }
    if (event.retry() != null) {
      size += 28;
    }
    return size;
  }

  private static long utf8Length(String text) {
    long length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        length++;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        length += 4;
        i++;
      } else {
        length += 3;
      }
    }
    return length;
  }

  /** The local streams of one channel and the broker subscription they share. */
  private static final class ChannelGroup {
    /**
     * The channel's streams, by lane: where its events are handed to them (see {@link
     * SseSink#lane}). Changed only inside {@code groups.compute} for the channel; an emptied lane
     * stays until the group goes (a group has a few lanes, one per I/O thread).
     */
    final Map<Executor, Set<HubStream>> lanes = new ConcurrentHashMap<>();

    final CompletableFuture<Void> subscribed;

    /**
     * The channel's newest history id for streams that start: one Redis round trip per batch of
     * them.
     */
    final SharedRead<String> head;

    /** What the channel holds after an id, for streams that resume from it: likewise per id. */
    final SharedReads<String, Replay> replays;

    // Guarded by this group's monitor, which also orders deliveries against a catch-up.
    /** The id of the last event delivered here (or the history's head when subscribed). */
    String lastEventId;

    /** Set while the broker is away and until the missed events are delivered. */
    boolean catchingUp;

    /** Counts losses of the broker, so that a stale catch-up does nothing. */
    long generation;

    List<SseEvent> held = new ArrayList<>();

    ChannelGroup(
        CompletableFuture<Void> subscribed,
        SharedRead<String> head,
        SharedReads<String, Replay> replays) {
      this.subscribed = subscribed;
      this.head = head;
      this.replays = replays;
    }

    void add(HubStream stream) {
      lanes.computeIfAbsent(stream.lane(), lane -> ConcurrentHashMap.newKeySet()).add(stream);
    }

    /** Removes {@code stream}; returns whether the channel has no stream left. */
    boolean removeAndCheckEmpty(HubStream stream) {
      Set<HubStream> lane = lanes.get(stream.lane());
      if (lane != null) {
        lane.remove(stream);
      }
      return size() == 0;
    }

    int size() {
      int size = 0;
      for (Set<HubStream> lane : lanes.values()) {
        size += lane.size();
      }
      return size;
    }
  }

  /** The reads that start one stream; filled from several futures, hence synchronized. */
  private static final class StartPlan {
    final Map<String, String> resumedFrom;
    final Map<String, Replay> replays = new HashMap<>();
    final Map<String, String> heads = new HashMap<>();

    StartPlan(Map<String, String> resumedFrom) {
      this.resumedFrom = resumedFrom;
    }

    synchronized void replay(String channel, Replay replay) {
      replays.put(channel, replay);
    }

    synchronized void head(String channel, String head) {
      heads.put(channel, head);
    }
  }
}

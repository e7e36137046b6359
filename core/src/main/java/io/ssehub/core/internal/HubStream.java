package io.ssehub.core.internal;

import io.ssehub.core.HubObserver.CloseReason;
import io.ssehub.core.Replay;
import io.ssehub.core.SseEncoder;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseSink;
import io.ssehub.core.Subscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's stream: what it has been sent, and the switch from history to live events.
 *
 * <p>Life cycle: {@code STARTING} (registered for live events, which are held back while history is
 * read), then {@code LIVE}, then {@code CLOSED}. On {@link #start}, the stream writes the replayed
 * events, then the held-back live events that the replay did not already contain (the two overlap
 * by the events published while history was read): no gap, no duplicate (ARCHITECTURE.md invariant
 * 6). Each event written moves the client's position in its channel (invariant 4); a client that
 * falls behind is cut, not waited for (invariant 8).
 *
 * <p>Threading: every method may be called from any thread; all state is guarded by {@code this}.
 * The lock is held only to update state and hand bytes to the sink, which never blocks.
 */
final class HubStream implements Subscription {
  private static final Logger log = LoggerFactory.getLogger(HubStream.class);
  private static final byte[] KEEPALIVE = SseEncoder.keepalive();

  enum State {
    STARTING,
    LIVE,
    CLOSED
  }

  private final HubEngine hub;
  private final List<String> channels;
  private final SseSink sink;

  /**
   * Where the hub hands this stream its events and its start: the sink's lane, or the fan-out's
   * thread.
   */
  private final Executor lane;

  private final boolean multiChannel;

  /** Which events this client receives; null for all. */
  private final Predicate<SseEvent> filter;

  /**
   * Whether the stream opens with a retry hint and tells the client its position in an {@code
   * id:}-only block before its first event. Not on a front door's stream (Mercure): its protocol
   * says where the client stands otherwise (the {@code Last-Event-ID} response header), and many
   * non-browser clients take a block without data for a message; it opens with a comment once
   * subscribed.
   */
  private final boolean announcesPosition;

  /**
   * Per channel, the id of the last event sent (or the position the client started from); for a
   * stream of several channels only. A stream of one channel keeps it in {@link #position}: a map
   * update per delivery showed in profiles.
   */
  private final Map<String, String> positions;

  /** The position of a stream of one channel. */
  private String position;

  /** Written under the lock; volatile so that the hub can skip closed streams without taking it. */
  private volatile State state = State.STARTING;

  /** The replay being written, while {@code STARTING} after history was read. */
  private Start starting;

  private List<EncodedEvent> heldBack = new ArrayList<>();
  private long heldBackBytes;

  /** Whether anything was written since the last keepalive sweep. */
  private boolean active;

  HubStream(
      HubEngine hub,
      List<String> channels,
      SseSink sink,
      Predicate<SseEvent> filter,
      boolean announcesPosition) {
    this.hub = hub;
    this.channels = channels;
    this.sink = sink;
    this.lane = sink.lane() != null ? sink.lane() : HubEngine.DIRECT;
    this.filter = filter;
    this.announcesPosition = announcesPosition;
    this.multiChannel = channels.size() > 1;
    this.positions = multiChannel ? new LinkedHashMap<>() : null;
  }

  @Override
  public List<String> channels() {
    return channels;
  }

  Executor lane() {
    return lane;
  }

  /**
   * Writes the first bytes, so that the client sees the stream open before any event exists; null
   * writes none.
   */
  synchronized void open(byte[] preamble) {
    if (preamble != null) {
      sink.send(preamble);
    }
  }

  /**
   * Ends the start. {@code replays} holds, for each channel the client resumed, what history gave
   * after {@code resumedFrom}; {@code heads} holds the newest id of every other channel (fresh, or
   * resumed from an id history no longer has and nothing retained after it). Writes a cut notice
   * where a replay is incomplete, the replayed events (paced by the sink, see {@link #pump}), the
   * stream's position if no event conveyed it, then the live events held back meanwhile, less those
   * the client already has.
   */
  synchronized void start(
      Map<String, String> resumedFrom, Map<String, Replay> replays, Map<String, String> heads) {
    if (state != State.STARTING) {
      return;
    }
    for (String channel : channels) {
      String head = heads.get(channel);
      setPosition(channel, head != null ? head : resumedFrom.get(channel));
    }
    List<EncodedEvent> replay = new ArrayList<>();
    Map<String, Set<String>> replayedIds = new HashMap<>();
    boolean positionSent = heads.isEmpty();
    for (String channel : channels) {
      Replay channelReplay = replays.get(channel);
      if (channelReplay == null) {
        continue;
      }
      if (!channelReplay.complete()) {
        replay.add(new EncodedEvent(channel, historyCutEvent(channel, resumedFrom.get(channel))));
      }
      Set<String> ids = new HashSet<>();
      for (SseEvent event : channelReplay.events()) {
        ids.add(event.id());
        replay.add(new EncodedEvent(channel, event));
        positionSent = true;
      }
      replayedIds.put(channel, ids);
    }
    starting = new Start(resumedFrom, replay, replayedIds, positionSent);
    pump();
  }

  /**
   * {@link #start}, cutting only this stream if its filter or sink throws (a {@link
   * StackOverflowError} included): it runs on a lane that other streams share.
   */
  void startGuarded(
      Map<String, String> resumedFrom, Map<String, Replay> replays, Map<String, String> heads) {
    try {
      start(resumedFrom, replays, heads);
    } catch (Throwable e) {
      fail(e);
    }
  }

  /**
   * Writes the replay while the client keeps up, and waits for the sink to drain when it does not:
   * a client resuming after a long absence may need far more than {@code maxPendingBytes}, and must
   * get it without being cut for it. Live events stay held back until the replay is written.
   */
  private void pump() {
    try {
      pumpLocked();
    } catch (Throwable e) {
      fail(e); // called back by the sink when writable, on whichever thread: one stream's failure
      // stays its own
    }
  }

  private synchronized void pumpLocked() {
    Start start = starting;
    if (state != State.STARTING || start == null) {
      return;
    }
    while (start.next < start.replay.size()) {
      if (sink.pendingBytes() > hub.maxPendingBytes() / 2 && sink.onWritable(this::pump)) {
        return;
      }
      write(start.replay.get(start.next++));
    }
    starting = null;
    if (!announcesPosition) {
      // Subscribed: the response goes out now (with a comment), so that an update published once
      // the client sees the stream open reaches it, as Mercure's clients expect.
      sink.send(KEEPALIVE);
    } else if (!start.positionSent) {
      // The client learns where it stands before its first event: a reconnect then misses nothing.
      sink.send(SseEncoder.idOnly(currentId()));
    }
    List<EncodedEvent> held = heldBack;
    heldBack = null;
    state = State.LIVE;
    active = true;
    // A held event at or before where the client resumed already reached it (through another
    // connection or node): all live events after the subscription arrive here in order, so if the
    // resume point is among them, everything up to it is old.
    Map<String, Integer> resumePointIndex = new HashMap<>();
    for (int i = 0; i < held.size(); i++) {
      EncodedEvent event = held.get(i);
      String from = start.resumedFrom.get(event.channel);
      if (from != null && from.equals(event.event.id())) {
        resumePointIndex.put(event.channel, i);
      }
    }
    for (int i = 0; i < held.size(); i++) {
      EncodedEvent event = held.get(i);
      if (i <= resumePointIndex.getOrDefault(event.channel, -1)) {
        continue;
      }
      Set<String> replayed = start.replayedIds.get(event.channel);
      if (replayed == null || event.event.id() == null || !replayed.contains(event.event.id())) {
        write(event);
      }
    }
    checkPending();
  }

  /** A start in progress: the replay to write and what the held-back events are checked against. */
  private static final class Start {
    final Map<String, String> resumedFrom;
    final List<EncodedEvent> replay;
    final Map<String, Set<String>> replayedIds;
    final boolean positionSent;
    int next;

    Start(
        Map<String, String> resumedFrom,
        List<EncodedEvent> replay,
        Map<String, Set<String>> replayedIds,
        boolean positionSent) {
      this.resumedFrom = resumedFrom;
      this.replay = replay;
      this.replayedIds = replayedIds;
      this.positionSent = positionSent;
    }
  }

  /** Hands a live event to this stream: written now, or held back while the stream starts. */
  synchronized void offer(EncodedEvent event) {
    switch (state) {
      case LIVE -> {
        write(event);
        checkPending();
      }
      case STARTING -> {
        heldBack.add(event);
        heldBackBytes += event.size();
        if (heldBackBytes > hub.maxPendingBytes()) {
          cut("held back " + heldBackBytes + " bytes while reading history");
        }
      }
      case CLOSED -> {}
    }
  }

  /**
   * History lost the position this stream stands at in {@code channel} (the broker's data was reset
   * or trimmed while this node was cut off): tells the client as a resume would, and moves the
   * stream to {@code head}, so that a later reconnect is not cut again. A stream still starting
   * reads history itself and needs nothing.
   */
  synchronized void historyCut(String channel, String lostId, String head) {
    if (state != State.LIVE) {
      return;
    }
    SseEvent cut = historyCutEvent(channel, lostId);
    if (filter == null || accepts(cut)) {
      sink.send(SseEncoder.encode(cut));
    }
    setPosition(channel, head);
    sink.send(SseEncoder.idOnly(currentId()));
    active = true;
    checkPending();
  }

  /** Sends a keepalive comment if nothing was written since the previous sweep. */
  synchronized void keepalive() {
    if (state == State.LIVE) {
      if (!active) {
        sink.send(KEEPALIVE);
        checkPending();
      }
      active = false;
    }
  }

  /**
   * Ends the stream normally (the hub shuts down, or its start failed): flushes, then closes. The
   * observer hears of it after the lock is released.
   */
  void end(byte[] last, CloseReason reason) {
    if (endLocked(last)) {
      hub.streamClosed(reason);
    }
  }

  private synchronized boolean endLocked(byte[] last) {
    if (state == State.CLOSED) {
      return false;
    }
    state = State.CLOSED;
    heldBack = null;
    starting = null;
    hub.removed(this);
    if (last != null) {
      sink.send(last);
    }
    sink.close();
    return true;
  }

  /** The client went away: forget the stream. */
  @Override
  public void close() {
    close(CloseReason.CLIENT_GONE);
  }

  /** Forgets the stream, for this reason; the observer hears of it after the lock is released. */
  void close(CloseReason reason) {
    if (closeLocked()) {
      hub.streamClosed(reason);
    }
  }

  private synchronized boolean closeLocked() {
    if (state == State.CLOSED) {
      return false;
    }
    state = State.CLOSED;
    heldBack = null;
    starting = null;
    hub.removed(this);
    return true;
  }

  /**
   * Cuts this stream because its filter or its sink threw while it was handed something: the
   * client's response ends now (it resumes by id), the others on its lane go on. Any throwable,
   * errors included: a filter that overflows the stack on one event must not take the lane's task
   * down with it. Logged without the stack trace (which for a stack overflow is a thousand lines).
   */
  void fail(Throwable cause) {
    if (failLocked(cause)) {
      hub.streamClosed(CloseReason.FAILED);
    }
  }

  private synchronized boolean failLocked(Throwable cause) {
    if (state == State.CLOSED) {
      return false;
    }
    log.warn("Cutting stream on {}: its filter or sink threw {}", channels, cause.toString());
    log.debug("What the stream on {} threw", channels, cause);
    state = State.CLOSED;
    heldBack = null;
    starting = null;
    hub.removed(this);
    try {
      sink.abort();
    } catch (Throwable e) {
      log.debug("Aborting the failed stream's sink threw too", e);
    }
    return true;
  }

  boolean isClosed() {
    return state == State.CLOSED;
  }

  private void write(EncodedEvent event) {
    if (filter != null && !accepts(event.event)) {
      return; // not for this client: its position stays, a resume replays past it and filters again
    }
    String id = event.event.id();
    if (id == null) {
      sink.send(event.full); // from outside ssehub, not in history: the client's position stays
    } else {
      setPosition(event.channel, id);
      if (multiChannel) {
        sink.send(Cursor.idLine(positions), event.withoutId());
      } else {
        sink.send(event.full);
      }
    }
    active = true;
  }

  private boolean accepts(SseEvent event) {
    try {
      return filter.test(event);
    } catch (RuntimeException e) {
      log.warn("Stream filter failed on {}; not sending it", event, e);
      return false;
    }
  }

  /** Bytes waiting for this stream's client. */
  long pendingBytes() {
    return sink.pendingBytes();
  }

  /**
   * Cuts this stream as one too far behind ({@link HubEngine#boundPendingBytes}); false if it had
   * ended.
   */
  synchronized boolean cutBehind(String why) {
    if (state == State.CLOSED) {
      return false;
    }
    cut(why);
    return true;
  }

  /** Cuts a client that does not keep up: its queue would grow without end. It resumes by id. */
  private void checkPending() {
    long pending = sink.pendingBytes();
    if (pending > hub.maxPendingBytes()) {
      cut(pending + " bytes pending");
    }
  }

  private void cut(String why) {
    log.debug("Cutting slow stream on {}: {}", channels, why);
    state = State.CLOSED;
    heldBack = null;
    starting = null;
    hub.removed(this);
    hub.slowConsumerCut();
    sink.abort();
    // Under this stream's lock (and the channel's, when cut during a fan-out): observers are cheap
    // by contract.
    hub.streamClosed(CloseReason.SLOW_CONSUMER);
  }

  private void setPosition(String channel, String id) {
    if (multiChannel) {
      positions.put(channel, id);
    } else {
      position = id;
    }
  }

  private String currentId() {
    return multiChannel ? Cursor.format(positions) : position;
  }

  private static SseEvent historyCutEvent(String channel, String lastEventId) {
    String data =
        "{\"channel\":\"" + channel + "\",\"lastEventId\":" + jsonString(lastEventId) + "}";
    return SseEvent.builder().type(SseEvent.HISTORY_CUT_TYPE).data(data).build();
  }

  private static String jsonString(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  @Override
  public String toString() {
    return "HubStream" + channels;
  }
}

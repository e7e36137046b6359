package io.ssehub.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedReadTest {
  /** Reads that complete when the test says: the n-th read sent is {@code sent.get(n)}. */
  private final List<CompletableFuture<String>> sent = new ArrayList<>();

  private final SharedRead<String> shared =
      new SharedRead<>(
          () -> {
            CompletableFuture<String> read = new CompletableFuture<>();
            sent.add(read);
            return read;
          });

  @Test
  void callersWhileAReadIsOnItsWayShareTheNextReadNotThatOne() {
    CompletableFuture<String> first = shared.get();
    List<CompletableFuture<String>> later = List.of(shared.get(), shared.get(), shared.get());
    assertThat(sent).as("one read on its way at a time").hasSize(1);

    sent.get(0).complete("before");
    assertThat(first).isCompletedWithValue("before");
    assertThat(later)
        .as("asked after the first read was sent: it may be stale for them")
        .noneMatch(CompletableFuture::isDone);
    assertThat(sent).as("the callers who waited get one read, sent now").hasSize(2);

    sent.get(1).complete("after");
    assertThat(later).allMatch(read -> "after".equals(read.join()));
    assertThat(sent).as("nobody waits: no more reads").hasSize(2);
  }

  @Test
  void aCallerWithNoReadOnItsWaySendsOneAtOnce() {
    shared.get();
    sent.get(0).complete("a");
    CompletableFuture<String> next = shared.get();
    assertThat(sent).hasSize(2);
    sent.get(1).complete("b");
    assertThat(next).isCompletedWithValue("b");
  }

  @Test
  void aFailedReadFailsItsOwnCallersOnlyAndTheNextReadStillGoes() {
    CompletableFuture<String> first = shared.get();
    CompletableFuture<String> second = shared.get();
    sent.get(0).completeExceptionally(new IllegalStateException("redis went away"));
    assertThat(first).isCompletedExceptionally();
    assertThat(second).isNotDone();
    sent.get(1).complete("back");
    assertThat(second).isCompletedWithValue("back");
  }

  @Test
  void aReadThatThrowsFailsItsCallersAndDoesNotStopTheNextOnes() {
    AtomicInteger calls = new AtomicInteger();
    SharedRead<String> throwing =
        new SharedRead<>(
            () -> {
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("closed");
              }
              return CompletableFuture.completedFuture("ok");
            });
    CompletableFuture<String> failed = throwing.get();
    assertThat(failed).isCompletedExceptionally();
    assertThat(catchThrowable(failed::join))
        .isInstanceOf(CompletionException.class)
        .hasRootCauseMessage("closed");
    assertThat(throwing.get()).isCompletedWithValue("ok");
  }

  @Test
  void readsThatCompleteAtOnceAreNotShared() {
    AtomicInteger calls = new AtomicInteger();
    SharedRead<Integer> immediate =
        new SharedRead<>(() -> CompletableFuture.completedFuture(calls.incrementAndGet()));
    assertThat(immediate.get()).isCompletedWithValue(1);
    assertThat(immediate.get()).isCompletedWithValue(2);
  }
}

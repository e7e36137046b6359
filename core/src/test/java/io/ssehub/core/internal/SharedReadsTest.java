package io.ssehub.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SharedReadsTest {
  private final List<String> sentFor = new ArrayList<>();
  private final List<CompletableFuture<String>> sent = new ArrayList<>();
  private final SharedReads<String, String> reads =
      new SharedReads<>(
          key -> {
            CompletableFuture<String> read = new CompletableFuture<>();
            sentFor.add(key);
            sent.add(read);
            return read;
          });

  @Test
  void callersOfOneKeyShareItsReadsAndOtherKeysHaveTheirOwn() {
    CompletableFuture<String> a1 = reads.get("a");
    CompletableFuture<String> b1 = reads.get("b");
    CompletableFuture<String> a2 = reads.get("a"); // "a" has a read on its way: waits for the next
    assertThat(sentFor).containsExactly("a", "b");

    sent.get(0).complete("a@1");
    assertThat(a1).isCompletedWithValue("a@1");
    assertThat(sentFor).containsExactly("a", "b", "a");
    sent.get(2).complete("a@2");
    assertThat(a2).isCompletedWithValue("a@2");
    sent.get(1).complete("b@1");
    assertThat(b1).isCompletedWithValue("b@1");
  }

  @Test
  void aKeyIsForgottenOnceNobodyWaitsForItsReads() {
    reads.get("a");
    reads.get("a");
    assertThat(reads.size()).isEqualTo(1);
    sent.get(0).complete("first");
    assertThat(reads.size()).as("the second caller still waits").isEqualTo(1);
    sent.get(1).complete("second");
    assertThat(reads.size()).isZero();

    reads.get("a");
    assertThat(sentFor).as("a new caller sends a new read").hasSize(3);
  }

  @Test
  void readsThatCompleteAtOnceLeaveNothingBehind() {
    SharedReads<String, String> immediate =
        new SharedReads<>(key -> CompletableFuture.completedFuture(key + "!"));
    assertThat(immediate.get("a")).isCompletedWithValue("a!");
    assertThat(immediate.get("b")).isCompletedWithValue("b!");
    assertThat(immediate.size()).isZero();
  }
}

package io.ssehub.mercure.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AnnouncementBudgetTest {
  private final AtomicLong now = new AtomicLong();
  private final AnnouncementBudget budget = new AnnouncementBudget(10, 30, now::get);

  @Test
  void aBurstIsAllowedThenOnlyTheRate() {
    assertThat(budget.tryTake(20)).isTrue();
    assertThat(budget.tryTake(10)).isTrue();
    assertThat(budget.tryTake(1)).as("empty").isFalse();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(budget.tryTake(6)).as("five came back in half a second").isFalse();
    assertThat(budget.tryTake(5)).isTrue();
    now.addAndGet(TimeUnit.HOURS.toNanos(1));
    assertThat(budget.tryTake(31)).as("never more than the burst").isFalse();
    assertThat(budget.tryTake(30)).isTrue();
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new AnnouncementBudget(0, 1))
        .hasMessageContaining("expected: both > 0");
  }
}

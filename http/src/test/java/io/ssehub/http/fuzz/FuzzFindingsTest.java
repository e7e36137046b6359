package io.ssehub.http.fuzz;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.http.HttpProblem;
import io.ssehub.http.PublishRequests;
import org.junit.jupiter.api.Test;

/** What the fuzz targets found, kept as plain tests. */
class FuzzFindingsTest {
  @Test
  void contentTypeOfOnlyASemicolonIs415NotAnIndexError() {
    assertThatThrownBy(() -> PublishRequests.parse(";", new byte[0]))
        .isInstanceOf(HttpProblem.class)
        .hasMessageContaining("is not supported");
  }
}

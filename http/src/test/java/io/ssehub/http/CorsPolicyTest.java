package io.ssehub.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CorsPolicyTest {
  private final CorsPolicy listed =
      CorsPolicy.of(List.of("https://app.example.com", "http://127.0.0.1:3000"));
  private final CorsPolicy any = CorsPolicy.of(List.of("*"));

  @Test
  void listedOriginGetsItselfAndCredentials() {
    assertThat(listed.responseHeaders("https://app.example.com"))
        .containsExactly(
            java.util.Map.entry("Vary", "Origin"),
            java.util.Map.entry("Access-Control-Allow-Origin", "https://app.example.com"),
            java.util.Map.entry("Access-Control-Allow-Credentials", "true"));
  }

  @Test
  void otherOriginGetsNothingButVary() {
    assertThat(listed.responseHeaders("https://evil.example")).containsOnlyKeys("Vary");
    assertThat(listed.responseHeaders(null)).containsOnlyKeys("Vary");
  }

  @Test
  void wildcardNeverAllowsCredentials() {
    assertThat(any.responseHeaders("https://evil.example"))
        .containsEntry("Access-Control-Allow-Origin", "*")
        .doesNotContainKey("Access-Control-Allow-Credentials");
    CorsPolicy both = CorsPolicy.of(List.of("*", "https://app.example.com"));
    assertThat(both.responseHeaders("https://app.example.com"))
        .containsEntry("Access-Control-Allow-Credentials", "true");
    assertThat(both.responseHeaders("https://other.example"))
        .doesNotContainKey("Access-Control-Allow-Credentials");
  }

  @Test
  void crlfInOriginIsNeverEchoed() {
    String evil = "https://app.example.com\r\nSet-Cookie: x=1";
    assertThat(listed.responseHeaders(evil)).containsOnlyKeys("Vary");
    assertThat(any.responseHeaders(evil)).containsEntry("Access-Control-Allow-Origin", "*");
    assertThat(String.join("", any.preflightHeaders(evil).values())).doesNotContain("\r", "\n");
  }

  @Test
  void preflightOfAllowedOrigin() {
    assertThat(listed.preflightHeaders("http://127.0.0.1:3000"))
        .containsEntry("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        .containsEntry("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID")
        .containsEntry("Access-Control-Max-Age", "600")
        .containsEntry("Access-Control-Allow-Credentials", "true");
    assertThat(listed.preflightHeaders("http://127.0.0.1:3001")).containsOnlyKeys("Vary");
    assertThat(CorsPolicy.isPreflight("OPTIONS", "http://a", "POST")).isTrue();
    assertThat(CorsPolicy.isPreflight("OPTIONS", null, "POST")).isFalse();
  }

  @Test
  void noneAddsNothing() {
    assertThat(CorsPolicy.of(List.of())).isSameAs(CorsPolicy.NONE);
    assertThat(CorsPolicy.NONE.enabled()).isFalse();
    assertThat(CorsPolicy.NONE.responseHeaders("https://a.example")).isEmpty();
  }

  @Test
  void badOriginsAreRefused() {
    for (String bad :
        List.of(
            "app.example.com",
            "https://app.example.com/path",
            "ftp://x",
            "https://u@x",
            "https://x\r\n")) {
      assertThatThrownBy(() -> CorsPolicy.of(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected: * or scheme://host[:port]");
    }
  }
}

package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --ui} and {@code SSEHUB_UI}: off by default, on by the flag alone, by a value, or by the
 * variable.
 */
class UiFlagTest {
  @Test
  void offByDefault() {
    assertThat(parse(Map.of()).ui).isFalse();
  }

  @Test
  void theFlagAloneOrWithAValueTurnsItOn() {
    assertThat(parse(Map.of(), "--ui").ui).isTrue();
    assertThat(parse(Map.of(), "--ui=true").ui).isTrue();
    assertThat(parse(Map.of("SSEHUB_UI", "true"), "--ui=false").ui)
        .as("flag beats variable")
        .isFalse();
  }

  @Test
  void theVariableTurnsItOn() {
    assertThat(parse(Map.of("SSEHUB_UI", "true")).ui).isTrue();
  }

  @Test
  void aValueThatIsNotABooleanExitsTwoNamingTheFlag() {
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine(Map.of());
    cmd.setErr(new PrintWriter(err));
    assertThat(cmd.execute("--ui=maybe")).isEqualTo(2);
    assertThat(err.toString()).contains("--ui").contains("maybe");
  }

  private static Main parse(Map<String, String> env, String... args) {
    CommandLine cmd = Main.commandLine(env);
    cmd.parseArgs(args);
    return cmd.getCommand();
  }
}

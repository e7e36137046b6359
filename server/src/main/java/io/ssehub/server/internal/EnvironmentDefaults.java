package io.ssehub.server.internal;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Gives each flag its environment variable as default: {@code --max-event-bytes} reads {@code
 * SSEHUB_MAX_EVENT_BYTES}. A flag on the command line beats its variable; a variable beats the
 * built-in default (picocli falls back to the option's {@code defaultValue} when this returns
 * null).
 */
public final class EnvironmentDefaults implements IDefaultValueProvider {
  public static final String PREFIX = "SSEHUB_";

  private final Map<String, String> environment;

  public EnvironmentDefaults(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** {@code --max-event-bytes} becomes {@code SSEHUB_MAX_EVENT_BYTES}. */
  public static String variableFor(String longName) {
    String bare = longName.replaceFirst("^-+", "");
    return PREFIX + bare.replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (argSpec instanceof OptionSpec option
        && !option.usageHelp()
        && !option.versionHelp()
        && option.longestName().startsWith("--")) {
      String value = environment.get(variableFor(option.longestName()));
      return value == null || value.isBlank() ? null : value.trim();
    }
    return null;
  }
}

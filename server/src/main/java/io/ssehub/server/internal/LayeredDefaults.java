package io.ssehub.server.internal;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;

/**
 * Defaults for flags not given: the environment variable, else the config file, else (null) the
 * flag's built-in default. With the command line on top: flag > env > file > default.
 */
public final class LayeredDefaults implements IDefaultValueProvider {
  private final EnvironmentDefaults environment;
  private final ConfigFile file;

  /** {@code file} may be null: no config file. */
  public LayeredDefaults(EnvironmentDefaults environment, ConfigFile file) {
    this.environment = environment;
    this.file = file;
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    String value = environment.defaultValue(argSpec);
    if (value == null && file != null) {
      value = file.value(argSpec);
    }
    return value;
  }

  public ConfigFile file() {
    return file;
  }
}

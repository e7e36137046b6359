package io.ssehub.server.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: Java properties whose keys are the flags without their dashes ({@code
 * port=8080}, {@code redis-url=redis://...}). Every key and value is checked when the file is read,
 * with the flag's own converter, so that a typo or a bad value stops start-up with the file, the
 * key and what was expected, before anything starts.
 *
 * <p>Why properties and not YAML: no parser to add for a flat list of flags (a YAML file of {@code
 * key: value} lines is not read; say so rather than half-read it).
 */
public final class ConfigFile {
  /** The flag that names the file, and its variable. */
  public static final String FLAG = "--config";

  private final Path path;

  /** Per option, its value from the file. */
  private final Map<OptionSpec, String> values;

  private ConfigFile(Path path, Map<OptionSpec, String> values) {
    this.path = path;
    this.values = values;
  }

  public Path path() {
    return path;
  }

  /** The file's value for this option, or null. */
  public String value(ArgSpec spec) {
    return spec instanceof OptionSpec option ? values.get(option) : null;
  }

  /**
   * Reads and checks the file against the command's options.
   *
   * @throws IllegalArgumentException naming the file, the key and what was expected
   */
  public static ConfigFile read(Path path, CommandSpec spec) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("--config: cannot read " + path + " (" + e + ")");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--config: " + path + " is not a properties file (" + e.getMessage() + ")");
    }
    Map<String, OptionSpec> byKey = new LinkedHashMap<>();
    for (OptionSpec option : spec.options()) {
      if (!settable(option)) {
        continue;
      }
      for (String name : option.names()) {
        if (name.startsWith("--")) {
          byKey.put(name.substring(2), option);
        }
      }
    }
    Map<OptionSpec, String> values = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(properties.stringPropertyNames());
    keys.sort(null);
    for (String key : keys) {
      String value = properties.getProperty(key).trim();
      OptionSpec option = byKey.get(key.trim());
      if (option == null) {
        throw new IllegalArgumentException(
            "config file "
                + path
                + ": unknown key '"
                + key
                + "' (expected one of: "
                + String.join(", ", new TreeSet<>(byKey.keySet()))
                + ")");
      }
      if (values.containsKey(option)) {
        throw new IllegalArgumentException(
            "config file "
                + path
                + ": key '"
                + key
                + "' given twice (also as "
                + String.join(" or ", option.names())
                + ")");
      }
      check(path, key, option, value);
      values.put(option, value);
    }
    return new ConfigFile(path, values);
  }

  /**
   * Whether a file may set this option: not help, version, the config file itself or
   * --print-config.
   */
  public static boolean settable(OptionSpec option) {
    return !option.usageHelp()
        && !option.versionHelp()
        && !option.longestName().equals(FLAG)
        && !option.longestName().equals("--print-config");
  }

  private static void check(Path path, String key, OptionSpec option, String value) {
    String where = "config file " + path + ": " + key + ": ";
    Class<?> type = option.type();
    try {
      ITypeConverter<?>[] converters = option.converters();
      if (converters != null && converters.length > 0) {
        String[] parts =
            option.splitRegex().isEmpty() ? new String[] {value} : value.split(option.splitRegex());
        for (String part : parts) {
          converters[0].convert(part);
        }
      } else if (type == boolean.class || type == Boolean.class) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException(
              "'" + value + "' is not a boolean (expected: true or false)");
        }
      } else if (value.isEmpty() && type != String.class) {
        throw new IllegalArgumentException("empty (expected: " + option.paramLabel() + ")");
      }
    } catch (Exception e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    }
  }
}

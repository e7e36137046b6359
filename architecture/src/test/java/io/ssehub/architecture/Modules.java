package io.ssehub.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ssehub's modules as the rules see them: each module is one root package, {@code
 * io.ssehub.<module>} ({@code spring} for the Spring Boot starter), and its implementation lives
 * under {@code io.ssehub.<module>.internal}.
 */
final class Modules {
  /** The root package of everything of ours, which the rules import (main classes only). */
  static final String ROOT = "io.ssehub";

  /** A package of ours: group 1 is its module. */
  private static final Pattern MODULE = Pattern.compile("io\\.ssehub\\.([^.]+)(\\..*)?");

  /** A module's internal package or one below it: group 1 is its module. */
  private static final Pattern INTERNAL =
      Pattern.compile("io\\.ssehub\\.([^.]+)\\.internal(\\..*)?");

  private Modules() {}

  /** The package pattern of one module and everything below it, as ArchUnit writes it. */
  static String module(String name) {
    return ROOT + "." + name + "..";
  }

  /** The module of a package of ours, or null for a package not of ours. */
  static String moduleOf(String packageName) {
    Matcher matcher = MODULE.matcher(packageName);
    return matcher.matches() ? matcher.group(1) : null;
  }

  /** Classes of ours that belong to any module but {@code name}. */
  static DescribedPredicate<JavaClass> anotherModuleThan(String name) {
    return DescribedPredicate.describe(
        "belong to an ssehub module other than " + name,
        javaClass -> {
          String module = moduleOf(javaClass.getPackageName());
          return module != null && !module.equals(name);
        });
  }

  /**
   * Dependencies that stay out of other modules' {@code internal} packages; a module's own are its
   * business.
   */
  static DescribedPredicate<Dependency> outsideOtherModulesInternals() {
    String description = "the target is in the origin's own module or in no internal package";
    return DescribedPredicate.describe(
        description,
        dependency -> {
          Matcher target = INTERNAL.matcher(dependency.getTargetClass().getPackageName());
          return !target.matches()
              || target.group(1).equals(moduleOf(dependency.getOriginClass().getPackageName()));
        });
  }
}

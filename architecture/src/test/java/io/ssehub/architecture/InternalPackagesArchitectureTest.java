package io.ssehub.architecture;

import static com.tngtech.archunit.lang.conditions.ArchConditions.onlyHaveDependenciesWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * A module's {@code internal} packages are its own: {@code io.ssehub.X.internal..} is used only
 * from {@code io.ssehub.X..}, by every module, bench included (it uses public API or a seam such as
 * the server's {@code WritePath}). So the internals can change without notice, as each package-info
 * says.
 */
@AnalyzeClasses(packages = Modules.ROOT, importOptions = ImportOption.DoNotIncludeTests.class)
class InternalPackagesArchitectureTest {

  @ArchTest
  static final ArchRule noModuleUsesAnothersInternals =
      classes()
          .that()
          .resideInAPackage(Modules.ROOT + "..")
          .should(onlyHaveDependenciesWhere(Modules.outsideOtherModulesInternals()))
          .because("internal packages may change without notice; other modules use the public API");
}

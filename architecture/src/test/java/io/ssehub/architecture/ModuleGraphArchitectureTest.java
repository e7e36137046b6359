package io.ssehub.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency graph between our modules, exactly as the poms and the code have it, and no cycles
 * in it. A new module (or a new edge) has to be added here, on purpose. Also: the command line's
 * libraries (picocli, logback) stay in the standalone server; the libraries log through SLF4J only.
 */
@AnalyzeClasses(packages = Modules.ROOT, importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleGraphArchitectureTest {

  @ArchTest
  static final ArchRule eachModuleUsesOnlyTheModulesBelowIt =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .ensureAllClassesAreContainedInArchitecture()
          .layer("core")
          .definedBy(Modules.module("core"))
          .layer("http")
          .definedBy(Modules.module("http"))
          .layer("mercure")
          .definedBy(Modules.module("mercure"))
          .layer("redis")
          .definedBy(Modules.module("redis"))
          .layer("metrics")
          .definedBy(Modules.module("metrics"))
          .layer("server")
          .definedBy(Modules.module("server"))
          .layer("servlet")
          .definedBy(Modules.module("servlet"))
          .layer("spring")
          .definedBy(Modules.module("spring"))
          .layer("bench")
          .definedBy(Modules.module("bench"))
          .layer("testkit")
          .definedBy(Modules.module("testkit"))
          .whereLayer("core")
          .mayNotAccessAnyLayer()
          .whereLayer("http")
          .mayOnlyAccessLayers("core")
          .whereLayer("mercure")
          .mayOnlyAccessLayers("core", "http")
          .whereLayer("redis")
          .mayOnlyAccessLayers("core")
          .whereLayer("metrics")
          .mayOnlyAccessLayers("core")
          .whereLayer("server")
          .mayOnlyAccessLayers("core", "http", "mercure", "redis", "metrics")
          .whereLayer("servlet")
          .mayOnlyAccessLayers("core", "http")
          .whereLayer("spring")
          .mayOnlyAccessLayers("core", "redis", "servlet")
          .whereLayer("bench")
          .mayOnlyAccessLayers("core", "redis", "server")
          .whereLayer("testkit")
          .mayNotAccessAnyLayer()
          .because("each module's pom lists what it builds on; the code uses no more");

  @ArchTest
  static final ArchRule noCyclesBetweenModules =
      slices().matching(Modules.ROOT + ".(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule commandLineLibrariesStayInTheServer =
      noClasses()
          .that()
          .resideOutsideOfPackages(Modules.module("server"), Modules.module("bench"))
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("picocli..", "ch.qos.logback..")
          .because(
              "an app that embeds the hub or an adapter chooses its own logging backend and has no command line");
}

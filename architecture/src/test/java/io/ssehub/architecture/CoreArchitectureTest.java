package io.ssehub.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Core stands alone: it depends on no other module of ours, and on nothing but the JDK and the
 * SLF4J API, so that every transport, broker and adapter builds on it and an app can embed the hub
 * with one small jar.
 */
@AnalyzeClasses(packages = Modules.ROOT, importOptions = ImportOption.DoNotIncludeTests.class)
class CoreArchitectureTest {

  @ArchTest
  static final ArchRule coreUsesNoOtherModule =
      noClasses()
          .that()
          .resideInAPackage(Modules.module("core"))
          .should()
          .dependOnClassesThat(Modules.anotherModuleThan("core"))
          .because("every other module builds on core, never the other way round");

  @ArchTest
  static final ArchRule coreUsesOnlyTheJdkAndSlf4j =
      classes()
          .that()
          .resideInAPackage(Modules.module("core"))
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(Modules.module("core"), "java..", "org.slf4j..")
          .because(
              "core's pom has one dependency, slf4j-api: embedding the hub brings no other library");
}

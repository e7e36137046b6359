package io.ssehub.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The adapters that put the hub on a transport (server: Netty; servlet: Jakarta Servlet; spring:
 * the Spring Boot starter) do not depend on each other, except that the starter registers the
 * servlets: each can be used, and can change, without the others. Bench drives the standalone
 * server and uses no other adapter, and nothing uses bench.
 */
@AnalyzeClasses(packages = Modules.ROOT, importOptions = ImportOption.DoNotIncludeTests.class)
class AdaptersArchitectureTest {

  @ArchTest
  static final ArchRule serverUsesNoOtherAdapter =
      noClasses()
          .that()
          .resideInAPackage(Modules.module("server"))
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(Modules.module("servlet"), Modules.module("spring"))
          .because("the standalone server is Netty's adapter alone");

  @ArchTest
  static final ArchRule servletUsesNoOtherAdapter =
      noClasses()
          .that()
          .resideInAPackage(Modules.module("servlet"))
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(Modules.module("server"), Modules.module("spring"))
          .because("an app in a servlet container gets neither Netty's server nor Spring");

  @ArchTest
  static final ArchRule springUsesNoServer =
      noClasses()
          .that()
          .resideInAPackage(Modules.module("spring"))
          .should()
          .dependOnClassesThat()
          .resideInAPackage(Modules.module("server"))
          .because(
              "the starter runs the hub in the app's servlet container, through the servlet adapter");

  @ArchTest
  static final ArchRule benchUsesNoServletOrSpring =
      noClasses()
          .that()
          .resideInAPackage(Modules.module("bench"))
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(Modules.module("servlet"), Modules.module("spring"))
          .because("bench measures the hub and the standalone server");

  @ArchTest
  static final ArchRule nothingUsesBench =
      noClasses()
          .that()
          .resideOutsideOfPackage(Modules.module("bench"))
          .should()
          .dependOnClassesThat()
          .resideInAPackage(Modules.module("bench"))
          .because("bench is a tool on top, not published");
}

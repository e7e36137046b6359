package io.ssehub.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;

/** Helpers shared by the test kit's JUnit extensions. */
final class Extensions {
  private Extensions() {}

  /**
   * The store of the outermost test class around {@code context}, so a resource is started once per
   * top-level class (nested classes share it) and closed with that class. JUnit closes {@link
   * AutoCloseable} values when the store's context ends.
   */
  static ExtensionContext.Store classStore(
      ExtensionContext context, ExtensionContext.Namespace namespace) {
    ExtensionContext outermost = context;
    for (ExtensionContext c = context; c.getTestClass().isPresent(); ) {
      outermost = c;
      c = c.getParent().orElseThrow();
    }
    return outermost.getStore(namespace);
  }
}

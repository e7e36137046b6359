package io.ssehub.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link Chromium} into test constructors, lifecycle methods and test methods: one
 * browser per top-level test class (nested classes share it), quit after the class's last test.
 *
 * <pre>{@code
 * @ExtendWith(ChromiumExtension.class)
 * class BrowserIT {
 *   @Test
 *   void showsEvents(Chromium browser) {
 *     browser.open(url);
 *     browser.await(Duration.ofSeconds(10)).until(textToBe(By.id("out"), "hello"));
 *   }
 * }
 * }</pre>
 *
 * <p>Why one per class: starting Chromium takes about a second; tests that need a clean browser
 * state open a new page or call {@link Chromium#start()} themselves.
 *
 * <p>Never skips: missing binaries fail each test that asks for a browser, with {@code apt-get
 * install chromium chromium-driver}.
 */
public final class ChromiumExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ChromiumExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Chromium.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return Extensions.classStore(context, NAMESPACE)
        .getOrComputeIfAbsent(Chromium.class, k -> Chromium.start(), Chromium.class);
  }
}

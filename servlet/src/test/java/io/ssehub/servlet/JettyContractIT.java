package io.ssehub.servlet;

import io.ssehub.testkit.contract.HubContract;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared end-to-end contract, against the servlets in embedded Jetty. */
class JettyContractIT extends HubContract {
  private static Containers.Container container;

  @BeforeAll
  static void start() {
    container = Containers.jetty(Containers.contractHub());
  }

  @AfterAll
  static void stop() {
    container.close();
  }

  @Override
  protected URI base() {
    return container.base();
  }
}

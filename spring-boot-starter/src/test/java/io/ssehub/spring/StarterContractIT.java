package io.ssehub.spring;

import io.ssehub.core.AccessDecision;
import io.ssehub.core.Authorizer;
import io.ssehub.testkit.contract.HubContract;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The shared end-to-end contract, against a Spring Boot web app with the starter, on a random port.
 */
class StarterContractIT extends HubContract {
  private static ConfigurableApplicationContext app;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Authorizer authorizer() {
      return request ->
          request.channels().contains(FORBIDDEN)
              ? AccessDecision.forbidden("the channel " + FORBIDDEN + " is refused to everyone")
              : AccessDecision.allow();
    }
  }

  @BeforeAll
  static void start() {
    app =
        new SpringApplicationBuilder(App.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "ssehub.publish-path=/publish",
                "spring.main.banner-mode=off")
            .run();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Override
  protected URI base() {
    return URI.create("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
  }
}

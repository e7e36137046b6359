package io.ssehub.example;

import java.net.URI;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The example app on a free loopback port. */
final class Apps {
  private Apps() {}

  static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(ExampleApplication.class)
        .properties("server.port=0", "server.address=127.0.0.1")
        .properties(properties)
        .run();
  }

  static URI base(ConfigurableApplicationContext app) {
    return URI.create("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
  }
}

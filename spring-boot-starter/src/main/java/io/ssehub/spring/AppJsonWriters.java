package io.ssehub.spring;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * The starter's {@link SseDataWriter}: non-string data becomes JSON through the application's own
 * mapper bean, never a fresh one, so that its modules and settings ({@code java.time}, naming,
 * custom serializers) apply to events as they do to the app's HTTP answers. Jackson 3's {@code
 * JsonMapper} (Boot 4) is preferred to Jackson 2's {@code ObjectMapper} (Boot 3) when both exist.
 */
final class AppJsonWriters {
  private static final String JACKSON_3 = "tools.jackson.databind.json.JsonMapper";
  private static final String JACKSON_2 = "com.fasterxml.jackson.databind.ObjectMapper";

  private AppJsonWriters() {}

  /**
   * A writer through the app's mapper, or one that refuses non-string data naming what is missing.
   * The mapper is looked up when the first event needs it, not while beans are being defined, so
   * the order of auto-configurations cannot hide it.
   */
  static SseDataWriter fromContext(ListableBeanFactory beans) {
    return new SseDataWriter() {
      private volatile SseDataWriter mapper;

      @Override
      public String write(Object data) {
        SseDataWriter writer = mapper;
        if (writer == null) {
          writer = find(beans);
          if (writer == null) {
            throw new IllegalArgumentException(
                "data: a "
                    + data.getClass().getName()
                    + " and no JSON mapper in the application (expected: a String, a Jackson"
                    + " JsonMapper or ObjectMapper bean such as Spring Boot's Jackson"
                    + " auto-configuration declares, or an SseDataWriter bean)");
          }
          mapper = writer;
        }
        return writer.write(data);
      }
    };
  }

  private static SseDataWriter find(ListableBeanFactory beans) {
    ClassLoader loader = AppJsonWriters.class.getClassLoader();
    if (ClassUtils.isPresent(JACKSON_3, loader)) {
      SseDataWriter writer = Jackson3.writer(beans);
      if (writer != null) {
        return writer;
      }
    }
    return ClassUtils.isPresent(JACKSON_2, loader) ? Jackson2.writer(beans) : null;
  }

  /** Loaded only when Jackson 3 is on the classpath. */
  private static final class Jackson3 {
    static SseDataWriter writer(ListableBeanFactory beans) {
      tools.jackson.databind.json.JsonMapper json =
          beans.getBeanProvider(tools.jackson.databind.json.JsonMapper.class).getIfUnique();
      if (json == null) {
        return null;
      }
      return data -> {
        try {
          return json.writeValueAsString(data);
        } catch (tools.jackson.core.JacksonException e) {
          throw new IllegalArgumentException(
              "data: cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
      };
    }
  }

  /** Loaded only when Jackson 2 is on the classpath. */
  private static final class Jackson2 {
    static SseDataWriter writer(ListableBeanFactory beans) {
      com.fasterxml.jackson.databind.ObjectMapper json =
          beans.getBeanProvider(com.fasterxml.jackson.databind.ObjectMapper.class).getIfUnique();
      if (json == null) {
        return null;
      }
      return data -> {
        try {
          return json.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalArgumentException(
              "data: cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
      };
    }
  }
}

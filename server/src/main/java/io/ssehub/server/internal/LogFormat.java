package io.ssehub.server.internal;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format}: the default text lines of {@code logback.xml}, or one JSON object per line
 * for log shippers, with Logback's own {@link JsonEncoder} (no extra dependency). Switched at
 * start-up on the {@code STDOUT} appender of the bundled configuration; a configuration of the
 * user's own ({@code -Dlogback.configurationFile}) is left alone.
 */
public final class LogFormat {
  private LogFormat() {}

  /** Switches the console to JSON lines; returns false if the bundled appender is not in use. */
  public static boolean useJson() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return false;
    }
    Appender<ILoggingEvent> appender =
        context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    if (!(appender instanceof ConsoleAppender<ILoggingEvent> console)) {
      return false;
    }
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithArguments(false);
    encoder.setWithMessage(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    console.stop();
    console.setEncoder(encoder);
    console.start();
    return true;
  }
}

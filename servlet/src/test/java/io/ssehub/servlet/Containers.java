package io.ssehub.servlet;

import io.ssehub.core.AccessDecision;
import io.ssehub.core.SseHub;
import io.ssehub.testkit.contract.HubContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Embedded Jetty 12 and Tomcat 11 on a free loopback port, with the two servlets at {@code /stream}
 * and {@code /publish}.
 */
final class Containers {
  private Containers() {}

  /** A hub as the contract wants it: the channel {@code forbidden} refused with a 403. */
  static SseHub contractHub() {
    return SseHub.builder()
        .authorizer(
            request ->
                request.channels().contains(HubContract.FORBIDDEN)
                    ? AccessDecision.forbidden(
                        "the channel " + HubContract.FORBIDDEN + " is refused to everyone")
                    : AccessDecision.allow())
        .build();
  }

  /** A started container. */
  interface Container extends AutoCloseable {
    URI base();

    /** Threads of the container's pool that are running a task now. */
    int busyThreads();

    @Override
    void close();
  }

  static Container jetty(SseHub hub) {
    QueuedThreadPool pool = new QueuedThreadPool(200, 8);
    pool.setName("jetty");
    Server server = new Server(pool);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder stream = new ServletHolder("stream", new SseStreamServlet(hub));
    stream.setAsyncSupported(true);
    context.addServlet(stream, "/stream");
    ServletHolder publish = new ServletHolder("publish", new SsePublishServlet(hub));
    publish.setAsyncSupported(true);
    context.addServlet(publish, "/publish");
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not start", e);
    }
    return new Container() {
      @Override
      public URI base() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
      }

      @Override
      public int busyThreads() {
        return pool.getBusyThreads();
      }

      @Override
      public void close() {
        try {
          server.stop();
        } catch (Exception e) {
          throw new IllegalStateException("Jetty did not stop", e);
        } finally {
          hub.close();
        }
      }
    };
  }

  static Container tomcat(SseHub hub) {
    Path baseDir;
    try {
      baseDir = Files.createTempDirectory("ssehub-tomcat");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("maxConnections", "10000");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", null);
    Wrapper stream = Tomcat.addServlet(context, "stream", new SseStreamServlet(hub));
    stream.setAsyncSupported(true);
    context.addServletMappingDecoded("/stream", "stream");
    Wrapper publish = Tomcat.addServlet(context, "publish", new SsePublishServlet(hub));
    publish.setAsyncSupported(true);
    context.addServletMappingDecoded("/publish", "publish");
    try {
      tomcat.start();
    } catch (LifecycleException e) {
      throw new IllegalStateException("Tomcat did not start", e);
    }
    return new Container() {
      @Override
      public URI base() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
      }

      @Override
      public int busyThreads() {
        // Tomcat's own ThreadPoolExecutor: its acceptor and poller threads are outside it.
        if (connector.getProtocolHandler().getExecutor()
            instanceof org.apache.tomcat.util.threads.ThreadPoolExecutor pool) {
          return pool.getActiveCount();
        }
        throw new IllegalStateException(
            "executor: " + connector.getProtocolHandler().getExecutor());
      }

      @Override
      public void close() {
        try {
          tomcat.stop();
          tomcat.destroy();
        } catch (LifecycleException e) {
          throw new IllegalStateException("Tomcat did not stop", e);
        } finally {
          hub.close();
        }
      }
    };
  }
}

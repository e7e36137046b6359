package io.ssehub.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ssehub.core.SseHub;
import io.ssehub.http.HttpResponses;

/**
 * The probes an orchestrator asks, beside {@code GET /health} (which stays as it was): liveness
 * ({@code /health/live}, 200 while the process serves HTTP at all) and readiness ({@code
 * /health/ready}, 200 only while the broker is connected, the hub accepts streams and no drain has
 * begun; 503 otherwise, so that a load balancer sends new clients elsewhere).
 */
final class Health {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Health() {}

  /** {@code 200 {"status":"live","streams":N}}: answered means alive. */
  static HttpResponses.JsonResponse live(SseHub hub) {
    ObjectNode body = JSON.createObjectNode();
    body.put("status", "live");
    body.put("streams", hub.streamCount());
    return new HttpResponses.JsonResponse(200, bytes(body));
  }

  /**
   * {@code 200
   * {"status":"ready","broker":"...","connected":true,"accepting":true,"draining":false,"streams":N,
   * "loopDelayProbe":true}}, or 503 with {@code "status":"not_ready"}. Not ready either when the
   * event-loop delay probe has not completed a round within {@code max(20 intervals, 2 s)}: then
   * nothing measures how far behind the loops run, which publishes are refused by.
   */
  static HttpResponses.JsonResponse ready(
      SseHub hub, boolean draining, boolean loopDelayProbing, String broker) {
    boolean connected = hub.broker().isConnected();
    boolean accepting =
        hub.isReady() || !connected; // isReady() is "open and connected": open is what is left
    boolean ready = connected && hub.isReady() && !draining && loopDelayProbing;
    ObjectNode body = JSON.createObjectNode();
    body.put("status", ready ? "ready" : "not_ready");
    body.put("broker", broker);
    body.put("connected", connected);
    body.put("accepting", accepting && !draining);
    body.put("draining", draining);
    body.put("streams", hub.streamCount());
    body.put("loopDelayProbe", loopDelayProbing);
    return new HttpResponses.JsonResponse(ready ? 200 : 503, bytes(body));
  }

  private static byte[] bytes(ObjectNode body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}

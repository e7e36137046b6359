package io.ssehub.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Builds the server's complete (non-stream) responses. */
public final class Responses {
  /** One mapper for the whole server: thread-safe once configured. */
  public static final ObjectMapper JSON = new ObjectMapper();

  private Responses() {}

  /** A JSON response with Content-Length set. */
  public static FullHttpResponse json(HttpResponseStatus status, ObjectNode body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // an ObjectNode always serializes
    }
    return full(status, HttpHeaderValues.APPLICATION_JSON.toString(), bytes);
  }

  /**
   * The error body: {@code {"error":"<code>","message":"<text>"}}, plus {@code "field"} when one field
   * is at fault.
   */
  public static FullHttpResponse error(HttpError error) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", error.code());
    if (error.field() != null) {
      body.put("field", error.field());
    }
    body.put("message", error.getMessage());
    return json(error.status(), body);
  }

  public static FullHttpResponse full(HttpResponseStatus status, String contentType, byte[] bytes) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return response;
  }
}

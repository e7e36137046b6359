package io.ssehub.server.internal;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.ssehub.http.HttpProblem;
import io.ssehub.http.HttpResponses;
import java.util.Map;

/**
 * Builds the server's complete (non-stream) Netty responses from the bodies {@code ssehub-http}
 * makes.
 */
public final class Responses {
  private Responses() {}

  /** A JSON response with Content-Length set. */
  public static FullHttpResponse json(int status, byte[] body) {
    return full(HttpResponseStatus.valueOf(status), HttpResponses.JSON_CONTENT_TYPE, body);
  }

  /** A JSON response of {@code ssehub-http}'s making. */
  public static FullHttpResponse json(HttpResponses.JsonResponse response) {
    return json(response.status(), response.body());
  }

  /** An error: the problem's status, headers and JSON body. */
  public static FullHttpResponse error(HttpProblem problem) {
    FullHttpResponse response = json(problem.status(), problem.jsonBody());
    for (Map.Entry<String, String> header : problem.headers().entrySet()) {
      response.headers().set(header.getKey(), header.getValue());
    }
    return response;
  }

  public static FullHttpResponse full(HttpResponseStatus status, String contentType, byte[] bytes) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    if (contentType != null) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    response
        .headers()
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return response;
  }
}

package io.ssehub.servlet.internal;

import io.ssehub.http.HttpProblem;
import io.ssehub.http.HttpResponses;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * Writes the HTTP API's JSON answers ({@link HttpResponses}, {@link HttpProblem}) on a servlet
 * response.
 */
public final class Responses {
  private Responses() {}

  /** A problem as its status, headers and JSON body; blocking (no write listener may be set). */
  public static void problem(HttpServletResponse response, HttpProblem problem) throws IOException {
    response.setStatus(problem.status());
    for (Map.Entry<String, String> header : problem.headers().entrySet()) {
      response.setHeader(header.getKey(), header.getValue());
    }
    json(response, problem.status(), problem.jsonBody());
  }

  /** A JSON body with its status; blocking (no write listener may be set). */
  public static void json(HttpServletResponse response, int status, byte[] body)
      throws IOException {
    response.setStatus(status);
    response.setContentType(HttpResponses.JSON_CONTENT_TYPE);
    response.setHeader("Cache-Control", HttpResponses.JSON_CACHE_CONTROL);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}

package io.ssehub.mercure;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A request to the Mercure endpoint, as a transport read it.
 *
 * @param method the HTTP method ({@code GET}, {@code HEAD}, {@code POST})
 * @param query the decoded query parameters
 * @param form the decoded {@code application/x-www-form-urlencoded} body (empty for a subscribe)
 * @param headers a request header by name (case-insensitive), null when absent; {@code
 *     Last-Event-ID} already decoded as UTF-8
 * @param remoteAddress the client's IP address as text, or null
 */
public record MercureRequest(
    String method,
    Map<String, List<String>> query,
    Map<String, List<String>> form,
    Function<String, String> headers,
    String remoteAddress) {
  public MercureRequest {
    Objects.requireNonNull(method, "method");
    query = Map.copyOf(query);
    form = Map.copyOf(form);
    Objects.requireNonNull(headers, "headers");
  }

  String header(String name) {
    return headers.apply(name);
  }

  List<String> queryValues(String name) {
    return query.getOrDefault(name, List.of());
  }

  List<String> formValues(String name) {
    return form.getOrDefault(name, List.of());
  }
}

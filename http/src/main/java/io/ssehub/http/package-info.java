/**
 * The HTTP API of ssehub without a server: what {@code GET /stream} and {@code POST /publish} mean,
 * and what they answer, for every transport (the Netty server, the servlet adapter, the Spring Boot
 * starter) to share instead of copying.
 *
 * <ul>
 *   <li>{@link io.ssehub.http.StreamRequests}: query and {@code Last-Event-ID} to a {@code
 *       SubscribeRequest}; {@link io.ssehub.http.QueryDecoder} for a raw query string.
 *   <li>{@link io.ssehub.http.PublishRequests}: a JSON or form body to a channel and an event.
 *   <li>{@link io.ssehub.http.HttpResponses}: stream headers, the publish and health bodies.
 *   <li>{@link io.ssehub.http.HttpProblem}: every error, as a status, headers and a JSON body;
 *       {@link io.ssehub.http.HttpProblem#of} maps the hub's exceptions.
 * </ul>
 *
 * <p>A transport reads the request (method, path, headers, body: routing, body limits and
 * authentication are its own), calls these, and writes the answer. Nothing here blocks or keeps
 * state; everything is thread-safe.
 */
package io.ssehub.http;

/**
 * ssehub in any Jakarta Servlet 6 container (Jetty 12, Tomcat 10.1 and 11, ...): {@link
 * io.ssehub.servlet.SseStreamServlet} streams channels ({@code GET ?channel=...}) and {@link
 * io.ssehub.servlet.SsePublishServlet} publishes ({@code POST}, JSON or form), with the query
 * parameters, headers, ids, resume, errors and authorization of the standalone hub: both call
 * {@code ssehub-core} and {@code ssehub-http}.
 *
 * <p>Both servlets must be registered with {@code asyncSupported=true}. Streams hold no thread:
 * writes go through a {@code WriteListener}.
 */
package io.ssehub.servlet;

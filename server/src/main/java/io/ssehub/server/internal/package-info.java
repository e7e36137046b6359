/**
 * The server's insides: the Netty glue around {@code ssehub-http} (which parses requests and makes
 * bodies and errors): the pipeline, routing, body limits, the Netty {@code SseSink}. Not an API:
 * may change without notice.
 */
package io.ssehub.server.internal;

/**
 * The Redis broker's parts: the flask-sse message codec, the Lua scripts, history replies, the
 * connections. Not an API: may change without notice.
 */
package io.ssehub.redis.internal;

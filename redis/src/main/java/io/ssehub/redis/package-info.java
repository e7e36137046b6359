/**
 * ssehub on Redis: {@link io.ssehub.redis.RedisBroker} carries events between nodes over Redis
 * pub/sub (or sharded pub/sub on a cluster) and keeps each channel's history in a Redis Stream, in
 * flask-sse's message format.
 */
package io.ssehub.redis;

/**
 * Real parts for ssehub's tests, used at test scope by every other module and depending on none of
 * them.
 *
 * <ul>
 *   <li>{@link io.ssehub.testkit.SseParser}: the WHATWG event-stream algorithm, as the oracle for
 *       our encoder; reports comments and id-only blocks too.
 *   <li>{@link io.ssehub.testkit.SseClient}: SSE over the JDK HttpClient without a thread per
 *       stream, with bounded {@code await*} methods that fail with what did arrive.
 *   <li>{@link io.ssehub.testkit.RedisServer}, {@link io.ssehub.testkit.RedisCluster}, {@link
 *       io.ssehub.testkit.RedisSentinel} and {@link io.ssehub.testkit.RedisExtension}: real {@code
 *       redis-server} processes on free loopback ports.
 *   <li>{@link io.ssehub.testkit.Chromium} and {@link io.ssehub.testkit.ChromiumExtension}:
 *       headless Debian Chromium through Selenium, for a real {@code EventSource}.
 *   <li>{@link io.ssehub.testkit.TestCertificate}: a self-signed certificate and PKCS#8 key as PEM
 *       files, made by {@code keytool}, with a client context and a Chromium flag that trust it.
 * </ul>
 *
 * <p>Resources fail, never skip, when they can't start: a CI run that quietly ran no Redis or
 * browser test would be green for the wrong reason. Every wait is bounded; every process and
 * temporary directory is removed on close, and processes also at JVM exit. Network traffic goes to
 * 127.0.0.1 only.
 */
package io.ssehub.testkit;

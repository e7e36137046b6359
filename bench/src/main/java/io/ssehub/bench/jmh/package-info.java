/**
 * JMH micro-benchmarks that compare alternatives side by side, so that results read as ratios (as
 * Netty's {@code microbench/} does). Run them from the bench jar:
 *
 * <pre>
 * java -jar bench/target/ssehub-bench-*-all.jar Encoder      # the SSE encoder
 * java -jar bench/target/ssehub-bench-*-all.jar FanOut       # the hub's fan-out path
 * java -jar bench/target/ssehub-bench-*-all.jar WritePath    # the server's HTTP/1.1 write path to N streams
 * java -jar bench/target/ssehub-bench-*-all.jar -h           # JMH's options
 * </pre>
 */
package io.ssehub.bench.jmh;

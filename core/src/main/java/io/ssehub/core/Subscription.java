package io.ssehub.core;

import java.util.List;

/** An open stream in the hub. The transport closes it when its client goes away. */
public interface Subscription extends AutoCloseable {

  /** The channels this stream receives. */
  List<String> channels();

  /** Removes the stream from the hub. Idempotent; does not touch the sink. */
  @Override
  void close();
}

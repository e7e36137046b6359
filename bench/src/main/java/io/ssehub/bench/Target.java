package io.ssehub.bench;

import java.nio.charset.StandardCharsets;

/** The URL shapes of the two hubs under test. */
public enum Target {
  /**
   * ssehub: {@code GET /stream?channel=C}, {@code POST /publish} with {@code
   * {"channel":C,"data":...}}.
   */
  SSEHUB {
    @Override
    String streamPath(String channel) {
      return "/stream?channel=" + channel;
    }

    @Override
    String publishPath(String channel) {
      return "/publish";
    }

    @Override
    byte[] publishBody(String channel, String data) {
      // data is a JSON object: the hub writes it as its compact JSON text, which is data as sent.
      return ("{\"channel\":\"" + channel + "\",\"data\":" + data + "}")
          .getBytes(StandardCharsets.UTF_8);
    }
  },

  /**
   * Nchan: {@code GET /sub?id=C} in EventSource mode, {@code POST /pub?id=C} with the data as the
   * body.
   */
  NCHAN {
    @Override
    String streamPath(String channel) {
      return "/sub?id=" + channel;
    }

    @Override
    String publishPath(String channel) {
      return "/pub?id=" + channel;
    }

    @Override
    byte[] publishBody(String channel, String data) {
      return data.getBytes(StandardCharsets.UTF_8);
    }
  };

  abstract String streamPath(String channel);

  abstract String publishPath(String channel);

  abstract byte[] publishBody(String channel, String data);

  /**
   * The GET that opens a stream; Nchan answers EventSource only to {@code Accept:
   * text/event-stream}.
   */
  byte[] streamRequest(String hostHeader, String channel) {
    return ("GET "
            + streamPath(channel)
            + " HTTP/1.1\r\nHost: "
            + hostHeader
            + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }
}

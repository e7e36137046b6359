#!/usr/bin/env python3
"""bench/resume-storm.py: many streams resuming one ssehub channel from one id at once.

After a node restarts, its clients come back together, most of them from the channel's latest
event. This opens N streams on CHANNEL with `Last-Event-ID: ID`, CONCURRENCY connecting at a
time, checks that each gets a 200 and then the event(s) after ID (the first data line it receives
must be EXPECTED_DATA, and nothing at or before ID, whose data is SKIPPED_DATA, may come), then
closes them all. Bounded: 60 s per stream, 300 s in all. Loopback only. Pair it with
`redis-cli info commandstats` to see what the storm cost Redis (bench/RESULTS.md).

  bench/resume-storm.py --port 8080 --channel c --last-event-id ID --expect two --skipped one --streams 5000
"""
import argparse
import asyncio
import ipaddress
import sys


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--channel", required=True)
    p.add_argument("--last-event-id", required=True)
    p.add_argument("--expect", required=True, help="data of the first event after the id")
    p.add_argument("--skipped", required=True, help="data of the event with the id: must not come again")
    p.add_argument("--streams", type=int, default=5000)
    p.add_argument("--concurrency", type=int, default=500)
    a = p.parse_args()
    if not ipaddress.ip_address(a.host).is_loopback:
        p.error(f"--host {a.host}: loopback only")
    if not 0 < a.port < 65536 or a.streams < 1 or a.concurrency < 1:
        p.error("--port must be 1..65535, --streams and --concurrency at least 1")
    return a


async def one(a, sem, open_streams):
    async with sem:
        reader, writer = await asyncio.open_connection(a.host, a.port)
        writer.write((f"GET /stream?channel={a.channel} HTTP/1.1\r\nHost: {a.host}:{a.port}\r\n"
                      f"Accept: text/event-stream\r\nLast-Event-ID: {a.last_event_id}\r\n\r\n").encode())
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"stream refused: {head[:80]!r}")
        body = b""
        while True:  # until the first data line is complete
            start = body.find(b"data: ")
            end = body.find(b"\n", start) if start >= 0 else -1
            if end >= 0:
                break
            chunk = await asyncio.wait_for(reader.read(4096), 60)
            if not chunk:
                raise RuntimeError("stream ended before its first event")
            body += chunk
        first = body[start + len(b"data: "):end].decode()
        if first != a.expect:
            raise RuntimeError(f"first event's data {first!r}, expected {a.expect!r}")
        if f"data: {a.skipped}\n".encode() in body:
            raise RuntimeError(f"got {a.skipped!r} again")
        open_streams.append(writer)


async def main(a):
    sem = asyncio.Semaphore(a.concurrency)
    open_streams = []
    try:
        await asyncio.wait_for(asyncio.gather(*(one(a, sem, open_streams) for _ in range(a.streams))), 300)
    finally:
        for writer in open_streams:
            writer.close()
    print(f"resume-storm: {len(open_streams)} streams resumed from {a.last_event_id}, each got {a.expect!r} first")


if __name__ == "__main__":
    args = parse()
    try:
        asyncio.run(main(args))
    except Exception as e:  # one failed stream fails the storm, with what went wrong
        print(f"resume-storm: {e}", file=sys.stderr)
        sys.exit(1)

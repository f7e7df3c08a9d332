#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tcp_proxy.py - a TCP proxy in front of the test DC that misbehaves on cue.

  tcp_proxy.py --target HOST:PORT --port-file F --mode-file M

M holds one word, read for every chunk:  pass | delay MS | stall | drop.
  delay MS  forwards each chunk MS milliseconds late (a slow WAN link)
  stall     keeps the connections open and forwards nothing (a hung DC)
  drop      closes every connection (a DC that died mid-session)
Each connection is logged to stderr with the bytes it carried.
"""
import argparse
import asyncio
import os
import sys

ARGS = None
CONNS = set()


def mode():
    try:
        with open(ARGS.mode_file) as f:
            w = f.read().split()
    except OSError:
        return "pass", 0
    if not w:
        return "pass", 0
    return w[0], int(w[1]) if len(w) > 1 else 0


async def pump(reader, writer, tag):
    n = 0
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            while True:
                m, ms = mode()
                if m == "drop":
                    raise ConnectionResetError("drop")
                if m != "stall":
                    break
                await asyncio.sleep(0.05)
            if m == "delay":
                await asyncio.sleep(ms / 1000)
            writer.write(data)
            await writer.drain()
            n += len(data)
    except (OSError, ConnectionResetError):
        pass
    finally:
        writer.close()
    return n


async def watch_drop(writers):
    while True:
        if mode()[0] == "drop":
            for w in writers:
                w.transport.abort()
            return
        await asyncio.sleep(0.05)


async def handle(creader, cwriter):
    if mode()[0] == "drop":
        cwriter.transport.abort()
        return
    host, port = ARGS.target.rsplit(":", 1)
    try:
        sreader, swriter = await asyncio.open_connection(host, int(port))
    except OSError:
        cwriter.transport.abort()
        return
    w = asyncio.ensure_future(watch_drop([cwriter, swriter]))
    up, down = await asyncio.gather(pump(creader, swriter, "up"),
                                    pump(sreader, cwriter, "down"))
    w.cancel()
    print(f"connection: {up} bytes up, {down} down", file=sys.stderr,
          flush=True)


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", ARGS.port)
    port = server.sockets[0].getsockname()[1]
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.rename(tmp, ARGS.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--mode-file", required=True)
    ARGS = ap.parse_args()
    asyncio.run(main())

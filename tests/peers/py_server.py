"""Python `websockets` echo server for examples/ws_check.rs (our client).

Usage: python3 py_server.py [127.0.0.1:0]; prints `listening on HOST:PORT`.
Echoes text and binary on any path, and answers the paths ws_check.rs lists:
/send-fragmented, /send-invalid-utf8, /send-big?bytes=N, /last-close.
"""

import asyncio
import sys
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

last_close = "none"


async def handler(ws):
    global last_close
    url = urlsplit(ws.request.path)
    if url.path == "/last-close":
        await ws.send(last_close)
        await ws.close()
        return
    try:
        if url.path == "/send-fragmented":
            # An iterable is sent as one message, one fragment per item.
            await ws.send(["frag-1 ", "frag-2 ", "frag-3 é"])
        elif url.path == "/send-invalid-utf8":
            # text=True sends bytes in a text frame as they are: not UTF-8 here.
            await ws.send(b"\xff\xfe not utf-8", text=True)
        elif url.path == "/send-big":
            size = int(parse_qs(url.query)["bytes"][0])
            await ws.send(b"x" * size)
        async for message in ws:
            await ws.send(message)
    except ConnectionClosed:
        pass
    finally:
        await ws.wait_closed()
        rcvd = ws.protocol.close_rcvd
        last_close = f"{rcvd.code} {rcvd.reason}" if rcvd else "no close frame"


async def main():
    host, _, port = (sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:0").rpartition(":")
    async with serve(handler, host, int(port), max_size=16 * 2**20) as server:
        addr = server.sockets[0].getsockname()
        print(f"listening on {addr[0]}:{addr[1]}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())

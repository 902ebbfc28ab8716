"""Python `websockets` client against our servers.

Usage: python3 py_client.py ECHO_URL CHECK_URL LIMIT
  ECHO_URL   examples/websocket_echo.rs
  CHECK_URL  examples/ws_check_server.rs started with a LIMIT-byte message limit
Prints one line per check and `python-client: N passed, M failed`; exits 1 on
any failure. Every wait is bounded (10 s per step).
"""

import asyncio
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

STEP = 10  # seconds any single wait may take
MAX = 16 * 2**20


def open_ws(url):
    return connect(url, max_size=MAX, open_timeout=STEP, close_timeout=STEP, ping_interval=None)


async def recv(ws):
    return await asyncio.wait_for(ws.recv(), STEP)


async def echo(url, message):
    async with open_ws(url) as ws:
        await ws.send(message)
        got = await recv(ws)
        assert type(got) is type(message), f"sent {type(message).__name__}, got {type(got).__name__}"
        assert got == message, f"sent {len(message)} items, got {len(got)} different ones"


async def expect_close(ws, code):
    """Reads until the server closes; checks its close code."""
    try:
        while True:
            await recv(ws)
    except ConnectionClosed:
        pass
    rcvd = ws.protocol.close_rcvd
    assert rcvd is not None, "no close frame from the server"
    assert rcvd.code == code, f"expected close {code}, got {rcvd.code} {rcvd.reason!r}"


async def last_close(check_url):
    async with open_ws(check_url + "/last-close") as ws:
        return await recv(ws)


def checks(echo_url, check_url, limit):
    async def text():
        await echo(echo_url, "Hello, Server! ünïcödé ✓ 🦀")

    async def binary():
        await echo(echo_url, bytes(range(256)))

    async def empty():
        await echo(echo_url, "")

    async def big_binary():
        await echo(echo_url, bytes(i % 251 for i in range(2**20)))

    async def big_text():
        await echo(echo_url, ("abcé" * (2**20 // 5 + 1)))

    async def fragmented_text():
        async with open_ws(echo_url) as ws:
            # An iterable is one message sent as one fragment per item.
            await ws.send(["frag-1 ", "frag-2 ", "frag-3 é"])
            assert await recv(ws) == "frag-1 frag-2 frag-3 é"

    async def fragmented_binary():
        async with open_ws(echo_url) as ws:
            await ws.send([b"\x00\x01", b"\x02" * 70000, b"\x03"])
            assert await recv(ws) == b"\x00\x01" + b"\x02" * 70000 + b"\x03"

    async def ping():
        async with open_ws(echo_url) as ws:
            pong = await ws.ping(b"ping-1")  # resolves on the pong with this payload
            await asyncio.wait_for(pong, STEP)
            await ws.send("after ping")
            assert await recv(ws) == "after ping"

    async def close_with_reason():
        async with open_ws(check_url) as ws:
            await ws.send("before close")
            assert await recv(ws) == "before close"
            await asyncio.wait_for(ws.close(4001, "bye bye"), STEP)
            assert ws.protocol.close_rcvd.code == 4001, ws.protocol.close_rcvd
        # Our server saw the code and the reason.
        for _ in range(30):
            seen = await last_close(check_url)
            if seen == "4001 bye bye":
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"server's last close: {seen!r}")

    async def invalid_utf8():
        async with open_ws(echo_url) as ws:
            # text=True puts the bytes in a text frame unchecked.
            await ws.send(b"valid, then \xff\xfe", text=True)
            await expect_close(ws, 1007)

    async def invalid_utf8_across_fragments():
        async with open_ws(echo_url) as ws:
            # "é" is C3 A9; end the message after its first byte.
            await ws.send([b"caf", b"\xc3"], text=True)
            await expect_close(ws, 1007)

    async def at_limit():
        await echo(check_url, b"y" * limit)

    async def oversized():
        async with open_ws(check_url) as ws:
            await ws.send(b"z" * (limit + 1))
            await expect_close(ws, 1009)

    async def compressed_both_ways():
        # websockets offers permessage-deflate by default; websocket_echo accepts.
        async with open_ws(echo_url) as ws:
            names = [ext.name for ext in ws.protocol.extensions]
            assert names == ["permessage-deflate"], f"extensions negotiated: {names}"
            message = ('{"user":"ann","text":"hello, world"},' * 3000)[: 100 * 1024]
            await ws.send(message)
            assert await recv(ws) == message

    async def oversized_fragmented():
        async with open_ws(check_url) as ws:
            half = limit // 2 + 1
            await ws.send(["a" * half, "b" * half])
            await expect_close(ws, 1009)

    return [
        ("permessage-deflate: 100 KiB text both ways", compressed_both_ways),
        ("text", text),
        ("binary", binary),
        ("empty text", empty),
        ("1 MiB binary", big_binary),
        ("1 MiB text", big_text),
        ("fragmented text", fragmented_text),
        ("fragmented binary", fragmented_binary),
        ("ping gets a pong", ping),
        ("close with code and reason", close_with_reason),
        ("invalid UTF-8: server closes with 1007", invalid_utf8),
        ("invalid UTF-8 across fragments: 1007", invalid_utf8_across_fragments),
        (f"message of exactly {limit} bytes", at_limit),
        ("oversized message: server closes with 1009", oversized),
        ("oversized fragmented message: 1009", oversized_fragmented),
    ]


async def main():
    echo_url, check_url, limit = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/"), int(sys.argv[3])
    passed = failed = 0
    for name, check in checks(echo_url, check_url, limit):
        try:
            await asyncio.wait_for(check(), 3 * STEP)
            passed += 1
            print(f"ok - {name}", flush=True)
        except Exception as err:  # noqa: BLE001 - any error fails this check only
            failed += 1
            print(f"FAIL - {name}: {type(err).__name__}: {err}", flush=True)
    print(f"python-client: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    asyncio.run(main())

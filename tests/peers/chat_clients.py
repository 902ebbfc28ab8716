"""Python `websockets` clients against examples/chat.rs: the protocol, the
limits, the origin check, and a slow client that gets dropped while the
others keep going.

Usage: python3 chat_clients.py ws://127.0.0.1:PORT   (a freshly started chat)
Prints one line per check and `chat-clients: N passed, M failed`; exits 1 on
any failure. Every wait is bounded.
"""

import asyncio
import base64
import json
import os
import socket
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

STEP = 10  # seconds any single wait may take
MAX_MESSAGE = 4096  # examples/chat.rs MAX_MESSAGE


def open_ws(url, **kwargs):
    return connect(url, open_timeout=STEP, close_timeout=STEP, ping_interval=None, **kwargs)


async def event(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), STEP))


async def expect_close(ws, code):
    try:
        while True:
            await asyncio.wait_for(ws.recv(), STEP)
    except ConnectionClosed:
        pass
    rcvd = ws.protocol.close_rcvd
    assert rcvd is not None and rcvd.code == code, f"expected close {code}, got {rcvd}"


def checks(base):
    url = base + "/ws"
    origin = base.replace("ws://", "http://", 1)

    async def welcome_join_message_leave():
        async with open_ws(url) as a:
            welcome = await event(a)
            assert welcome["kind"] == "welcome" and welcome["online"] == 1, welcome
            name_a = welcome["name"]
            async with open_ws(url) as b:
                welcome_b = await event(b)
                name_b = welcome_b["name"]
                assert welcome_b == {"kind": "welcome", "name": name_b, "online": 2}, welcome_b
                assert name_b != name_a
                assert await event(a) == {"kind": "join", "name": name_b}
                await b.send("  hello  ")
                want = {"kind": "message", "name": name_b, "text": "hello"}  # trimmed
                assert await event(a) == want
                assert await event(b) == want
            assert await event(a) == {"kind": "leave", "name": name_b, "reason": "left"}

    async def escaping_and_ignored_frames():
        text = 'quote " backslash \\ newline \n tab \t ctrl \x01 </script> é 🦀'
        async with open_ws(url) as a:
            name = (await event(a))["name"]
            await a.send(b"binary is ignored")
            await a.send("   ")  # blank: ignored
            await a.send(text)
            assert await event(a) == {"kind": "message", "name": name, "text": text}

    async def message_limit():
        async with open_ws(url) as a, open_ws(url) as b:
            await event(a)
            name_b = (await event(b))["name"]
            assert (await event(a))["kind"] == "join"
            await b.send("x" * MAX_MESSAGE)
            got = await event(a)
            assert got["kind"] == "message" and len(got["text"]) == MAX_MESSAGE, got["kind"]
            await event(b)
            await b.send("x" * (MAX_MESSAGE + 1))
            await expect_close(b, 1009)
            assert await event(a) == {"kind": "leave", "name": name_b, "reason": "left"}

    async def origin_check():
        async with open_ws(url, origin=origin) as ws:
            assert (await event(ws))["kind"] == "welcome"
        try:
            async with open_ws(url, origin="http://evil.example"):
                raise AssertionError("a foreign origin was accepted")
        except InvalidStatus as err:
            assert err.response.status_code == 403, err.response.status_code

    async def slow_client_is_dropped():
        async with open_ws(url) as fast:
            me = (await event(fast))["name"]
            # The slow client: a raw socket with a small receive buffer that
            # does the handshake and then never reads.
            raw = socket.socket()
            try:
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                raw.settimeout(STEP)
                host, port = base.removeprefix("ws://").rsplit(":", 1)
                raw.connect((host, int(port)))
                key = base64.b64encode(os.urandom(16)).decode()
                raw.sendall(
                    f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                    "Sec-WebSocket-Version: 13\r\n\r\n".encode()
                )
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = raw.recv(1)
                    assert chunk, "connection closed during the handshake"
                    head += chunk
                assert head.startswith(b"HTTP/1.1 101"), head
                joined = await event(fast)
                assert joined["kind"] == "join", joined
                slow_name = joined["name"]
                # Flood in batches; the fast client reads everything, so it
                # must never be the one dropped, nor be held up.
                dropped = False
                sent = 0
                line = "m" * 4000
                while not dropped:
                    assert sent < 20000, "the slow client was never dropped"
                    for _ in range(50):
                        await fast.send(line)
                    sent += 50
                    own = 0
                    while own < 50:
                        got = await event(fast)
                        if got["kind"] == "message":
                            assert got["name"] == me and got["text"] == line
                            own += 1
                        elif got == {"kind": "leave", "name": slow_name, "reason": "too slow"}:
                            dropped = True
                        else:
                            raise AssertionError(f"unexpected event {got}")
                # The others go on as before.
                await fast.send("still here")
                assert await event(fast) == {"kind": "message", "name": me, "text": "still here"}
                # And the server ends the slow connection (within its 10 s
                # write timeout plus its 5 s close timeout).
                raw.settimeout(30)
                while raw.recv(65536):
                    pass
                print(f"   (dropped after {sent} messages of 4000 bytes)", flush=True)
            finally:
                raw.close()

    async def not_found_path():
        try:
            async with open_ws(base + "/nope"):
                raise AssertionError("/nope upgraded")
        except InvalidStatus as err:
            assert err.response.status_code == 404, err.response.status_code

    return [
        ("welcome, join, message, leave", welcome_join_message_leave),
        ("JSON escaping; binary and blank messages ignored", escaping_and_ignored_frames),
        (f"{MAX_MESSAGE}-byte message passes, one more closes with 1009", message_limit),
        ("same origin accepted, foreign origin refused with 403", origin_check),
        ("slow client dropped, the others unaffected", slow_client_is_dropped),
        ("other paths: 404", not_found_path),
    ]


async def main():
    base = sys.argv[1].rstrip("/")
    passed = failed = 0
    for name, check in checks(base):
        try:
            await asyncio.wait_for(check(), 60)
            passed += 1
            print(f"ok - {name}", flush=True)
        except Exception as err:  # noqa: BLE001 - any error fails this check only
            failed += 1
            print(f"FAIL - {name}: {type(err).__name__}: {err}", flush=True)
    print(f"chat-clients: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    asyncio.run(main())

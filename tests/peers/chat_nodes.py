"""Python `websockets` clients on two chat nodes (examples/chat.rs started
with --redis on the same Redis server): what is said on one node reaches the
other, once, in order, and a leave on one node is told on the other.

Usage: python3 chat_nodes.py ws://127.0.0.1:PORT_A ws://127.0.0.1:PORT_B
Prints `chat-nodes: ok`, or the failed assertion and exits 1. Every wait is
bounded.
"""

import asyncio
import json
import sys

from websockets.asyncio.client import connect

STEP = 10  # seconds any single wait may take
COUNT = 50  # messages each client sends


def open_ws(url):
    return connect(url, open_timeout=STEP, close_timeout=STEP, ping_interval=None)


async def event(ws, timeout=STEP):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def until_heard(speaker, listener, name, text):
    """`speaker` says `text` every 100 ms until `listener` hears it: the
    listener's node has subscribed (Redis drops what is published before)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STEP
    while loop.time() < deadline:
        await speaker.send(text)
        try:
            while True:
                ev = await event(listener, 0.1)
                if ev.get("kind") == "message" and ev["name"] == name and ev["text"] == text:
                    return
        except asyncio.TimeoutError:
            pass
    raise AssertionError(f"{text!r} from {name} never crossed nodes")


async def collect(ws, wanted, seen):
    """Reads until every text in `wanted` came; `seen` keeps every message
    event with its sender, in arrival order."""
    while not wanted <= {text for _, text in seen}:
        ev = await event(ws)
        if ev.get("kind") == "message" and not ev["text"].startswith("probe"):
            seen.append((ev["name"], ev["text"]))


async def main(url_a, url_b):
    async with open_ws(url_a + "/ws") as a, open_ws(url_b + "/ws") as b:
        name_a = (await event(a))["name"]
        name_b = (await event(b))["name"]
        assert name_a != name_b, f"both nodes named a client {name_a}"
        await until_heard(a, b, name_a, "probe-a")
        await until_heard(b, a, name_b, "probe-b")

        sent_a = [f"a-{i}" for i in range(COUNT)]
        sent_b = [f"b-{i}" for i in range(COUNT)]
        for text in sent_a:
            await a.send(text)
        for text in sent_b:
            await b.send(text)
        everything = set(sent_a) | set(sent_b)
        got_a, got_b = [], []
        await asyncio.gather(collect(a, everything, got_a), collect(b, everything, got_b))
        # A second copy (an echo through Redis) would follow soon after.
        for ws, got in ((a, got_a), (b, got_b)):
            try:
                while True:
                    ev = await event(ws, 0.3)
                    if ev.get("kind") == "message" and not ev["text"].startswith("probe"):
                        got.append((ev["name"], ev["text"]))
            except asyncio.TimeoutError:
                pass
        for who, got in (("a", got_a), ("b", got_b)):
            from_a = [t for n, t in got if n == name_a]
            from_b = [t for n, t in got if n == name_b]
            assert from_a == sent_a, f"{who} got from a: {from_a}"
            assert from_b == sent_b, f"{who} got from b: {from_b}"

        await b.close()
        while True:
            ev = await event(a)
            if ev.get("kind") == "leave":
                assert ev["name"] == name_b and ev["reason"] == "left", ev
                break
    print("chat-nodes: ok")


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1], sys.argv[2]))
    except AssertionError as e:
        print(f"chat-nodes: FAILED: {e}")
        sys.exit(1)

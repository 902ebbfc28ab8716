"""Client for tests/metrics_scrape.rs: makes the HTTP requests and WebSocket
messages each plan asks for, then scrapes /metrics and parses it with
prometheus_client's Prometheus text parser.

    python3 metrics_scrape.py METRICS_URL PLAN...

A PLAN is ADDR,OK,MISSING,TEXT,BINARY,OPEN,CLOSED for one server: OK requests
to / (200), MISSING to /missing (404), OPEN + CLOSED WebSocket connections to
/ws, each sending TEXT text messages (the j-th, from 1, of j bytes; echoed) and
BINARY binary ones (the j-th of 2j bytes; sent back through a hub), then
CLOSED of them closed with code 4001 and OPEN kept open while scraping.

Prints one JSON line: {"scrapes": N, "samples": {"name{label=value}": value}},
from the first scrape whose open-socket gauges show the sockets kept open (a
socket the client closed is dropped by the server just after its close
handshake: later scrapes wait for that, at most 100 of them).
"""

import asyncio
import json
import sys
import urllib.error
import urllib.request

import websockets
from prometheus_client.parser import text_string_to_metric_families


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def samples(text):
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            out[f"{s.name}{{{labels}}}"] = s.value
    return out


async def socket_traffic(addr, text, binary):
    ws = await websockets.connect(f"ws://{addr}/ws", compression=None)
    for j in range(1, text + 1):
        message = "t" * j
        await ws.send(message)
        assert await ws.recv() == message
    for j in range(1, binary + 1):
        message = bytes([j % 256]) * (2 * j)
        await ws.send(message)
        assert await ws.recv() == message
    return ws


async def main():
    metrics_url = sys.argv[1]
    plans = []
    for arg in sys.argv[2:]:
        addr, *counts = arg.split(",")
        plans.append((addr, *map(int, counts)))
    kept = []
    for addr, ok, missing, text, binary, open_, closed in plans:
        for _ in range(ok):
            assert get(f"http://{addr}/")[0] == 200
        for _ in range(missing):
            assert get(f"http://{addr}/missing")[0] == 404
        for n in range(open_ + closed):
            ws = await socket_traffic(addr, text, binary)
            if n < closed:
                await ws.close(code=4001, reason="bye")
            else:
                kept.append(ws)
    want_open = sum(p[5] for p in plans)
    scrapes = 0
    found = {}
    for _ in range(100):
        status, body = get(metrics_url)
        scrapes += 1
        assert status == 200, status
        found = samples(body.decode())
        if (
            found.get("silly_websocket_sockets_open{}") == want_open
            and found.get("silly_net_connections_open{}") == want_open + 1
        ):
            break
        await asyncio.sleep(0.02)
    print(json.dumps({"scrapes": scrapes, "samples": found}))
    for ws in kept:
        await ws.close()


asyncio.run(main())

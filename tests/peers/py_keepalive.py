"""Python `websockets` client that stays connected past several keepalive
pings of the server (it answers them by itself, as browsers do), then checks
the connection still carries a message and closes normally.

Usage: python3 py_keepalive.py URL SECONDS
Prints `py-keepalive: ok`; exits non-zero on any failure. Every wait is
bounded (10 s).
"""

import asyncio
import sys

from websockets.asyncio.client import connect

STEP = 10  # seconds any single wait may take


async def main(url, seconds):
    # Its own pings off: only the server's keep this connection alive.
    async with connect(url, open_timeout=STEP, close_timeout=STEP, ping_interval=None) as ws:
        await asyncio.sleep(seconds)
        await ws.send("still here")
        got = await asyncio.wait_for(ws.recv(), STEP)
        assert got == "still here", f"echo: {got!r}"
    print("py-keepalive: ok")


asyncio.run(main(sys.argv[1], float(sys.argv[2])))

"""The push benchmark's screens (bench/push.py): raw asyncio HTTP/1.1, one connection per stream (as a
browser tab keeps one) and one keep-alive connection per screen for its fetches, a few hundred screens per
client process, so the client stays a small share of the machine it measures."""

from __future__ import annotations

import asyncio
import base64
import gzip
import re
import time
from typing import Any

ETAG = re.compile(r"(\d+)\.(\d+)\.(\d+)")
GZIP = re.compile(r'"gzip":"([^"]+)"')
NOW = re.compile(r'"now":(\d+)')


def _etag_of(text: str) -> tuple[int, str] | None:
    """(revision, bucket) from an ETag '"plan.revision.bucket"', or from the pushed event's "etag" field
    (found by position: no JSON parse of the 14 KB board per screen, the client must stay cheap)."""
    at = text.find('"etag":')
    found = ETAG.search(text, max(at, 0))
    return (int(found[2]), found[3]) if found else None


async def _fetch(conn: list[Any], port: int, path: str, etag: str) -> tuple[int, str]:
    """GET the fragment on this screen's keep-alive connection to the pages' server: (status, ETag)."""
    if not conn:
        conn += list(await asyncio.open_connection("127.0.0.1", port))
    reader, writer = conn
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\n"
    writer.write((head + (f"If-None-Match: {etag}\r\n" if etag else "") + "\r\n").encode())
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if int(headers.get("content-length", "0")):
        await reader.readexactly(int(headers["content-length"]))
    return int(lines[0].split()[1]), headers.get("etag", "")


async def _screen(i: int, ports: tuple[int, int], paths: tuple[str, str], cookie: str, rec: dict[str, Any]) -> None:
    """One screen: its stream open; on every event, the board from the event itself, or fetched."""
    reader, writer = await asyncio.open_connection("127.0.0.1", ports[1])
    conn: list[Any] = []
    etag = ""
    try:
        accept = "Accept: text/event-stream"
        writer.write(f"GET {paths[1]} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n{accept}\r\n\r\n".encode())
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        if " 200 " not in head.split("\r\n")[0] or "chunked" not in head.lower():
            rec["errors"] += 1
            return
        buffer = ""
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            if size == 0:
                return  # the server ended the stream
            buffer += (await reader.readexactly(size + 2))[:-2].decode()
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                kind = block[7 : block.find("\n")] if block.startswith("event: ") else ""
                if kind == "hello":
                    rec["opened"].release()
                elif kind in ("rev", "tick"):
                    now, sent = time.time(), 0.0
                    if '"parts":{"board"' in block:
                        found = _etag_of(block)
                        packed = GZIP.search(block)  # the board itself, inflated as the page does
                        if packed is None or not gzip.decompress(base64.b64decode(packed[1])):
                            rec["errors"] += 1
                        now = time.time()
                        rec["pushed"] += 1
                        stamp = NOW.search(block)  # when the hub had the board read and encoded (server clock)
                        sent = int(stamp[1]) / 1000 if stamp else 0.0
                    else:
                        status, tag = await _fetch(conn, ports[0], paths[0], etag)
                        now = time.time()
                        rec["fetched"] += 1
                        found = _etag_of(tag) if status == 200 else None
                        etag = tag if status == 200 else etag
                        rec["errors"] += status not in (200, 304)
                    if found:
                        rec["seen"].append((i, found[0], found[1], now, sent))
    except (OSError, ValueError, asyncio.IncompleteReadError):
        rec["errors"] += 1
    finally:
        writer.close()
        if conn:
            conn[1].close()


def screens(
    ports: tuple[int, int], paths: tuple[str, str], cookie: str, ids: range, out: Any, opened: Any, done: Any
) -> None:
    """One client process: its screens, until the bench says done; sends back what each saw."""
    rec: dict[str, Any] = {"seen": [], "errors": 0, "pushed": 0, "fetched": 0, "opened": opened}

    async def run() -> None:
        tasks = []
        for i in ids:  # in waves of 50, as screens come and go (and as the browser's own back-off spreads them)
            tasks.append(asyncio.create_task(_screen(i, ports, paths, cookie, rec)))
            if len(tasks) % 50 == 0:
                await asyncio.sleep(0.05)
        while not done.is_set():
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(run())
    del rec["opened"]
    out.put(rec)

"""A local webhook receiver for tests: records every POST (idempotency key, JSON, when) on 127.0.0.1.

Paths choose the behaviour: ``/ok…`` answers 200, ``/fail…`` 500, ``/refuse…`` 400 (a vendor refusing
the document), ``/hang…`` reads the request and then answers nothing for ``hang`` seconds, ``/trickle…``
dribbles its status line a byte every ``trickle`` seconds, ``/failhang…`` answers 500 to the first request
of each key and hangs on the later ones, ``/busy/<seconds>…`` answers 429 with that ``Retry-After`` (``/busy/date…``: an
HTTP date five minutes on).
A request is recorded once its body is read, whatever happens after (it *was* received).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POLL = 0.05  # how often serve_forever looks for shutdown(): its 0.5 s default was up to 0.5 s per test


class Sink:
    def __init__(self, delay: float = 0.0, hang: float = 30.0, trickle: float = 1.0) -> None:
        self.lock = threading.Lock()
        self.calls: list[dict] = []
        self.stopping = threading.Event()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if delay:
                    time.sleep(delay)  # a slow receiver, so a batch is still going when a worker is killed
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key")
                with sink.lock:
                    seen = sum(1 for c in sink.calls if c["key"] == key)
                    sink.calls.append({"path": self.path, "key": key, "json": body, "at": time.time()})
                if self.path.startswith("/hang") or (self.path.startswith("/failhang") and seen):
                    sink.stopping.wait(hang)
                    return
                if self.path.startswith("/trickle"):
                    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
                        if sink.stopping.wait(trickle):
                            return
                        try:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                        except OSError:
                            return
                    return
                status = 500 if self.path.startswith(("/fail", "/failhang")) else 200
                status = 400 if self.path.startswith("/refuse") else status
                if self.path.startswith("/busy"):  # /busy/<Retry-After seconds>/…, /busy/date/… (now + 5 min)
                    wait = self.path.split("/")[2]
                    self.send_response(429)
                    self.send_header(
                        "Retry-After", formatdate(time.time() + 300, usegmt=True) if wait == "date" else wait
                    )
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"boom: upstream exploded" if status == 500 else b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(POLL,), daemon=True)

    def __enter__(self) -> Sink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def keys(self, path: str = "/ok") -> Counter:
        with self.lock:
            return Counter(c["key"] for c in self.calls if c["path"].startswith(path))

    def first_at(self) -> dict[str, float]:
        """When each key first arrived (epoch seconds)."""
        out: dict[str, float] = {}
        with self.lock:
            for c in self.calls:
                out.setdefault(c["key"], c["at"])
        return out

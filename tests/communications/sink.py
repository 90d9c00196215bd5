"""A local webhook receiver for tests: records every POST (idempotency key, JSON) on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Sink:
    def __init__(self, delay: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.calls: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                if delay:
                    time.sleep(delay)  # a slow receiver, so a batch is still going when a worker is killed
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with sink.lock:
                    sink.calls.append({"path": self.path, "key": self.headers.get("Idempotency-Key"), "json": body})
                status = 500 if self.path.startswith("/fail") else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"boom: upstream exploded" if status == 500 else b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Sink:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def keys(self, path: str = "/ok") -> Counter:
        with self.lock:
            return Counter(c["key"] for c in self.calls if c["path"].startswith(path))

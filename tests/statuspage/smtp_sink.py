"""A local SMTP receiver for tests (127.0.0.1, no TLS, no auth): records every message once its DATA is
read (it *was* received, whatever happens after), with its Message-ID, recipients and headers. ``delay``
holds each answer to the end of DATA, so a batch is still going when a worker is killed."""

from __future__ import annotations

import socketserver
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from typing import Any

POLL = 0.05  # how often serve_forever looks for shutdown(): its 0.5 s default was up to 0.5 s per test


class SmtpSink:
    def __init__(self, delay: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.messages: list[dict[str, Any]] = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())
                self.wfile.flush()

            def handle(self) -> None:
                self.reply("220 sink ESMTP")
                rcpt: list[str] = []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
                    elif verb == "RCPT":
                        rcpt.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 go ahead")
                        sink._data(self, rcpt)
                        rcpt = []
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # HELO, MAIL, RSET, NOOP
                        self.reply("250 OK")

        self._delay = delay
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, args=(POLL,), daemon=True)

    def _data(self, handler: socketserver.StreamRequestHandler, rcpt: list[str]) -> None:
        lines = []
        while True:
            line = handler.rfile.readline()
            if not line or line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        parsed = message_from_bytes(b"".join(lines), policy=policy.default)
        with self.lock:
            self.messages.append(
                {
                    "to": list(rcpt),
                    "message_id": str(parsed["Message-ID"]).strip(),
                    "subject": str(parsed["Subject"]),
                    "list_unsubscribe": str(parsed["List-Unsubscribe"] or "").strip(),
                    "list_unsubscribe_post": str(parsed["List-Unsubscribe-Post"] or "").strip(),
                    "at": time.time(),
                }
            )
        if self._delay:
            time.sleep(self._delay)
        handler.wfile.write(b"250 queued\r\n")
        handler.wfile.flush()

    def __enter__(self) -> SmtpSink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> Counter:
        with self.lock:
            return Counter(m["message_id"] for m in self.messages)

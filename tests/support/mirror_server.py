"""A model mirror over http on 127.0.0.1 for the setup tests: serves a folder, honours ``Range: bytes=N-`` (what a
resumed download sends) and logs each request as (path, Range). Switches on the server object stand in for
the misbehaving servers a download meets: ``ignore_range`` (answers 200 with the whole file), ``cut_after`` +
``cut_name`` (promises the whole file, sends that many bytes and hangs up), ``gate_name`` + ``gate_bytes``
(a file asked for from its start stops after ``gate_bytes`` until ``gate`` is set, so a test can pause
inside it; ``gate_passed`` is set once the gate opened, or gave up waiting), ``redirects`` (file name -> the
address a 302 sends it to)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class MirrorServer(ThreadingHTTPServer):
    def __init__(self, folder: Path) -> None:
        super().__init__(("127.0.0.1", 0), lambda *a, **k: _Handler(*a, directory=str(folder), **k))
        self.requests: list[tuple[str, str | None]] = []
        self.ignore_range = False
        self.cut_name: str | None = None
        self.cut_after: int | None = None
        self.gate_name: str | None = None
        self.gate_bytes = 0
        self.gate = threading.Event()
        self.gate_passed = threading.Event()
        self.redirects: dict[str, str] = {}

    @property
    def index_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/index.json"


class _Handler(SimpleHTTPRequestHandler):
    server: MirrorServer

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def handle(self):
        with contextlib.suppress(ConnectionError):   # a paused or cancelled download hangs up mid-file
            super().handle()

    def do_GET(self):  # noqa: N802 - the base class's name
        server = self.server
        wanted = self.headers.get("Range")
        server.requests.append((self.path, wanted))
        path = Path(self.translate_path(self.path))
        if path.name in server.redirects:
            self.send_response(302)
            self.send_header("Location", server.redirects[path.name])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not path.is_file():
            return super().do_GET()
        data = path.read_bytes()
        if server.cut_after is not None and path.name == server.cut_name:
            self._send_head(200, len(data))
            self.wfile.write(data[: server.cut_after])
            self.wfile.flush()
            self.close_connection = True
            return None
        start = 0 if wanted is None or server.ignore_range else int(wanted.removeprefix("bytes=").split("-")[0])
        if start >= len(data) > 0:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.end_headers()
            return None
        self._send_head(206 if start else 200, len(data) - start,
                        f"bytes {start}-{len(data) - 1}/{len(data)}" if start else None)
        if path.name == server.gate_name and not start:
            self.wfile.write(data[: server.gate_bytes])
            self.wfile.flush()
            server.gate.wait(30)
            server.gate_passed.set()
            start = server.gate_bytes
        self.wfile.write(data[start:])
        return None

    def _send_head(self, status: int, length: int, content_range: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        if content_range:
            self.send_header("Content-Range", content_range)
        self.end_headers()


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[MirrorServer]:
    server = MirrorServer(folder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.gate.set()
        server.shutdown()
        server.server_close()
        thread.join()

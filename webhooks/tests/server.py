"""A real HTTP server on 127.0.0.1 in a thread, answering with a scripted list of status codes
and recording every request (headers and raw body)."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=lambda: [200])
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


def start(receiver: Receiver, host: str = "127.0.0.1", port: int = 0, tls=None):
    """Serve on ``host:port`` (0: any free port); ``tls``, an ``ssl.SSLContext``, serves HTTPS."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            code = receiver.next_status()
            self.send_response(code)
            if 300 <= code < 400:
                self.send_header("Location", "/elsewhere")
            payload = f"answer {code}".encode()
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if tls is not None else "http"
    receiver.url = f"{scheme}://{host}:{server.server_address[1]}/hooks/prm"
    return server

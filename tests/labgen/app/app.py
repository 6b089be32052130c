#!/usr/bin/env python3
"""The only app a generated lab runs: it implements GET / and GET /health and nothing else.

It is deliberately not one of the sample apps, so a lab that passes proves labctl checks
only what the lab declares, never an API it guessed. Everything else is 404 (GET) or 501
(other methods, http.server's own answer).
"""
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            body = b"ok\n"
        elif self.path == "/":
            body = f"instance={os.environ.get('INSTANCE', '?')}\n".encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()

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


class Server(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: when the other instance is killed and all the
    # traffic lands here on a busy host, SYNs beyond it are dropped, nginx's connect times out,
    # and it answers 502 while one instance is alive (seen in the tls-balancer e2e under load;
    # examples/apps/chat/app.py learned the same).
    request_queue_size = 128
    daemon_threads = True


Server(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()

#!/usr/bin/env python3
"""labctl's sample chat app: Python 3 standard library only, so it runs on a bare Debian image.

What it shows in a lab:
  GET  /          -> which instance answered (body and X-Instance header): the LB spread is visible
  GET  /health    -> 200 "ok" when ready; 503 while a configured broker is unreachable
  POST /messages  -> publishes the message to the broker (STOMP 1.2, /topic/chat)
  GET  /messages  -> the last messages this instance received from the broker, as JSON
  GET  /chat      -> a small HTML page: the chat in a browser, over /ws
  GET  /ws        -> WebSocket (RFC 6455): pushes every new message; text sent on it is posted

Every instance subscribes to the same topic, so a message posted through one instance is read
through any other: the seed lab's "dedicated broker instead of simpleBroker" step. Without a
broker (BROKER_HOST unset) messages stay local and /health says so.

Environment: PORT (8080), LISTEN_ADDRESS (0.0.0.0), INSTANCE (else LABCTL_INSTANCE, else the hostname), BROKER_HOST,
BROKER_PORT (61613), BROKER_USER, BROKER_PASSWORD or BROKER_PASSWORD_FILE (a file keeps the
secret out of the process environment), BROKER_VHOST (the STOMP host header, "/"),
CHAT_TOPIC (/topic/chat), HISTORY (100 messages kept).
"""

import base64
import collections
import hashlib
import json
import os
import queue
import random
import select
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def log(msg):
    print(f"[{INSTANCE}] {msg}", file=sys.stderr, flush=True)


def env_password():
    path = os.environ.get("BROKER_PASSWORD_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return os.environ.get("BROKER_PASSWORD")


PORT = int(os.environ.get("PORT", "8080"))
LISTEN_ADDRESS = os.environ.get("LISTEN_ADDRESS", "0.0.0.0")
INSTANCE = os.environ.get("INSTANCE") or os.environ.get("LABCTL_INSTANCE") or socket.gethostname()
BROKER_HOST = os.environ.get("BROKER_HOST") or None
BROKER_PORT = int(os.environ.get("BROKER_PORT") or "61613")
BROKER_USER = os.environ.get("BROKER_USER") or None
BROKER_PASSWORD = env_password()
BROKER_VHOST = os.environ.get("BROKER_VHOST", "/")
TOPIC = os.environ.get("CHAT_TOPIC", "/topic/chat")
HISTORY = int(os.environ.get("HISTORY", "100"))


# ---------------------------------------------------------------------------------------------
# Messages kept by this instance, and the WebSocket clients waiting for new ones.

class Inbox:
    def __init__(self, size):
        self._lock = threading.Lock()
        self._messages = collections.deque(maxlen=size)
        self._listeners = set()  # one queue.Queue per open WebSocket

    def add(self, message):
        message = dict(message, received_by=INSTANCE, received_at=time.time())
        with self._lock:
            self._messages.append(message)
            listeners = list(self._listeners)
        for q in listeners:
            q.put(message)

    def snapshot(self):
        with self._lock:
            return list(self._messages)

    def listen(self):
        q = queue.Queue()
        with self._lock:
            self._listeners.add(q)
        return q

    def unlisten(self, q):
        with self._lock:
            self._listeners.discard(q)


INBOX = Inbox(HISTORY)


# ---------------------------------------------------------------------------------------------
# A small STOMP 1.2 client: one connection that subscribes to the topic and sends on it.

def stomp_escape(value):
    # STOMP 1.2 header escaping (not applied to CONNECT frames, as the spec says).
    return (value.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")
            .replace(":", "\\c"))


def stomp_unescape(value):
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            out.append({"\\": "\\", "r": "\r", "n": "\n", "c": ":"}.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def stomp_frame(command, headers, body=b""):
    escape = (lambda v: v) if command == "CONNECT" else stomp_escape
    lines = [command] + [f"{escape(k)}:{escape(str(v))}" for k, v in headers.items()]
    if body:
        lines.append(f"content-length:{len(body)}")
    return ("\n".join(lines) + "\n\n").encode() + body + b"\0"


def stomp_parse(buf):
    """Returns (command, headers, body, rest) for the first whole frame in buf, or None."""
    start = 0
    while start < len(buf) and buf[start:start + 1] in (b"\n", b"\r"):
        start += 1  # heart-beats / EOLs between frames
    end_of_headers = buf.find(b"\n\n", start)
    if end_of_headers < 0:
        return None
    lines = buf[start:end_of_headers].decode("utf-8").replace("\r\n", "\n").split("\n")
    command, headers = lines[0], {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers.setdefault(stomp_unescape(key), stomp_unescape(value))  # first one wins (1.2)
    body_start = end_of_headers + 2
    if "content-length" in headers:
        body_end = body_start + int(headers["content-length"])
        if len(buf) < body_end + 1:
            return None
    else:
        body_end = buf.find(b"\0", body_start)
        if body_end < 0:
            return None
    return command, headers, buf[body_start:body_end], buf[body_end + 1:]


class BrokerLink(threading.Thread):
    """Keeps one STOMP connection up (reconnecting with backoff) and feeds MESSAGEs to INBOX."""

    def __init__(self):
        super().__init__(name="stomp", daemon=True)
        self.ready = threading.Event()  # connected and the subscription confirmed
        self.status = "connecting"
        self._sock = None
        self._send_lock = threading.Lock()
        self._stopping = threading.Event()

    def run(self):
        delay = 0.2
        while not self._stopping.is_set():
            try:
                self._session()
                delay = 0.2  # the session was up: start the backoff again from the bottom
            except (OSError, ValueError, ConnectionError) as e:
                self.status = f"broker {BROKER_HOST}:{BROKER_PORT} unreachable: {e}"
            self.ready.clear()
            self._close()
            if self._stopping.is_set():
                break
            log(f"{self.status}; retrying in {delay:.1f}s")
            self._stopping.wait(delay * random.uniform(0.8, 1.2))  # jitter: instances don't sync
            delay = min(delay * 2, 5.0)

    def _session(self):
        sock = socket.create_connection((BROKER_HOST, BROKER_PORT), timeout=5)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        self._sock = sock
        headers = {"accept-version": "1.2", "host": BROKER_VHOST, "heart-beat": "0,0"}
        if BROKER_USER is not None:
            headers["login"] = BROKER_USER
            headers["passcode"] = BROKER_PASSWORD or ""
        sock.sendall(stomp_frame("CONNECT", headers))
        # The receipt tells us the subscription is in place, so /health only says ok once a
        # message posted through another instance will really reach this one.
        sock.sendall(stomp_frame("SUBSCRIBE", {"id": "chat", "destination": TOPIC, "ack": "auto",
                                               "receipt": "subscribed"}))
        buf = b""
        while not self._stopping.is_set():
            parsed = stomp_parse(buf)
            if parsed is None:
                sock.settimeout(None if self.ready.is_set() else 10)
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("broker closed the connection")
                buf += chunk
                continue
            command, headers, body, buf = parsed
            if command == "CONNECTED":
                self.status = f"connected to {headers.get('server', 'broker')} at {BROKER_HOST}:{BROKER_PORT}"
                log(self.status)
            elif command == "RECEIPT" and headers.get("receipt-id") == "subscribed":
                self.ready.set()
            elif command == "MESSAGE":
                try:
                    INBOX.add(json.loads(body.decode("utf-8")))
                except ValueError:
                    INBOX.add({"text": body.decode("utf-8", "replace"), "user": "?", "from": "?"})
            elif command == "ERROR":
                raise ConnectionError(f"broker said ERROR: {headers.get('message', '')} {body[:200]!r}")

    def publish(self, message):
        body = json.dumps(message).encode("utf-8")
        frame = stomp_frame("SEND", {"destination": TOPIC, "content-type": "application/json"}, body)
        with self._send_lock:
            if not self.ready.is_set() or self._sock is None:
                raise ConnectionError(self.status)
            self._sock.sendall(frame)

    def stop(self):
        self._stopping.set()
        with self._send_lock:
            if self._sock is not None and self.ready.is_set():
                try:
                    self._sock.sendall(stomp_frame("DISCONNECT", {}))
                except OSError:
                    pass
        self._close()

    def _close(self):
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the reader thread blocked in recv
            except OSError:
                pass
            sock.close()


BROKER = BrokerLink() if BROKER_HOST else None


def post_message(user, text):
    message = {"id": uuid.uuid4().hex, "user": user, "text": text, "from": INSTANCE, "sent_at": time.time()}
    if BROKER is None:
        INBOX.add(message)  # no broker: this instance is the whole chat
    else:
        BROKER.publish(message)
    return message


# ---------------------------------------------------------------------------------------------
# WebSocket (RFC 6455), just enough for a chat: text frames, ping/pong, close.

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def ws_send(sock, opcode, payload):
    header = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        header += bytes([n])
    elif n < 65536:
        header += bytes([126]) + struct.pack("!H", n)
    else:
        header += bytes([127]) + struct.pack("!Q", n)
    sock.sendall(header + payload)  # server frames are never masked


def ws_recv_exact(sock, n):
    # Straight from the socket, not through the handler's buffered rfile: select() on the socket
    # must see every byte that has not been consumed yet.
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client went away")
        data += chunk
    return data


def ws_read_frame(sock):
    """Returns (opcode, payload) of one client frame, or None when the client went away."""
    try:
        head = ws_recv_exact(sock, 2)
        opcode, masked, n = head[0] & 0x0F, head[1] & 0x80, head[1] & 0x7F
        if n == 126:
            n = struct.unpack("!H", ws_recv_exact(sock, 2))[0]
        elif n == 127:
            n = struct.unpack("!Q", ws_recv_exact(sock, 8))[0]
        if n > 1 << 20:
            return None  # a chat line does not need more than a megabyte
        mask = ws_recv_exact(sock, 4) if masked else b"\0\0\0\0"
        data = ws_recv_exact(sock, n)
    except ConnectionError:
        return None
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


# ---------------------------------------------------------------------------------------------
# HTTP

CHAT_PAGE = """<!doctype html>
<meta charset="utf-8"><title>chat</title>
<h1>chat <small id="who"></small></h1>
<ul id="log"></ul>
<form id="f"><input id="t" autofocus size="60"><button>send</button></form>
<script>
// Relative URL: works directly and through nginx (which must pass Upgrade/Connection).
const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
const log = document.getElementById("log");
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.hello) { document.getElementById("who").textContent = "(socket on " + m.hello + ")"; return; }
  const li = document.createElement("li");
  li.textContent = m.error ? "error: " + m.error
                           : m.user + ": " + m.text + "  [posted via " + m.from + ", received by " + m.received_by + "]";
  log.appendChild(li);
};
document.getElementById("f").onsubmit = (e) => {
  e.preventDefault();
  const t = document.getElementById("t");
  if (t.value) ws.send(t.value);
  t.value = "";
};
</script>
"""

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so load generators can reuse connections
    server_version = "labctl-chat/1"

    def log_message(self, fmt, *args):
        pass  # one line per request would drown the lab's journal during load tests

    def reply(self, status, body, content_type="text/plain; charset=utf-8"):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Instance", INSTANCE)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/":
            self.reply(200, f"chat instance {INSTANCE}\n")
        elif path == "/chat":
            self.reply(200, CHAT_PAGE, "text/html; charset=utf-8")
        elif path == "/health":
            if BROKER is None:
                self.reply(200, "ok\nno broker configured: messages stay on this instance\n")
            elif BROKER.ready.is_set():
                self.reply(200, f"ok\n{BROKER.status}\n")
            else:
                self.reply(503, f"not ready: {BROKER.status}\n")
        elif path == "/messages":
            self.reply(200, json.dumps({"instance": INSTANCE, "messages": INBOX.snapshot()}),
                       "application/json")
        elif path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
            self.websocket()
        else:
            self.reply(404, "not found\n")

    def do_POST(self):
        if self.path.split("?", 1)[0] != "/messages":
            self.reply(404, "not found\n")
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        user, text = "anonymous", raw.strip()
        if "json" in self.headers.get("Content-Type", "") or raw.lstrip().startswith("{"):
            try:
                doc = json.loads(raw)
                user, text = str(doc.get("user", user)), str(doc.get("text", ""))
            except (ValueError, AttributeError):
                self.reply(400, "bad JSON: expected {\"user\": ..., \"text\": ...}\n")
                return
        if not text:
            self.reply(400, "empty message\n")
            return
        try:
            message = post_message(user, text)
        except (OSError, ConnectionError) as e:
            self.reply(503, f"broker unavailable: {e}\n")
            return
        self.reply(202, json.dumps(message), "application/json")

    def websocket(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.send_header("X-Instance", INSTANCE)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        sock, inbox = self.connection, INBOX.listen()
        try:
            ws_send(sock, 0x1, json.dumps({"hello": INSTANCE}).encode())
            while not STOPPING.is_set():
                while True:  # push whatever arrived
                    try:
                        ws_send(sock, 0x1, json.dumps(inbox.get_nowait()).encode())
                    except queue.Empty:
                        break
                readable, _, _ = select.select([sock], [], [], 0.2)
                if not readable:
                    continue
                frame = ws_read_frame(sock)
                if frame is None or frame[0] == 0x8:  # gone, or close
                    ws_send(sock, 0x8, b"")
                    break
                if frame[0] == 0x9:
                    ws_send(sock, 0xA, frame[1])
                elif frame[0] == 0x1:
                    try:
                        post_message("ws", frame[1].decode("utf-8", "replace"))
                    except (OSError, ConnectionError) as e:
                        ws_send(sock, 0x1, json.dumps({"error": str(e)}).encode())
        except OSError:
            pass
        finally:
            INBOX.unlisten(inbox)


STOPPING = threading.Event()


class Server(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: when the other instance dies and all the
    # traffic lands here on a busy host, SYNs beyond it are dropped, the balancer's connect
    # times out and nginx marks this instance down too (a 502 while one instance is alive).
    request_queue_size = 128


def main():
    server = Server((LISTEN_ADDRESS, PORT), Handler)
    server.daemon_threads = True  # open keep-alive and WebSocket connections don't block exit

    def on_sigterm(signum, frame):
        STOPPING.set()
        # shutdown() waits for serve_forever() to return, which runs in this very thread:
        # ask from another one.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, on_sigterm)
    if BROKER is not None:
        BROKER.start()
    log(f"listening on {LISTEN_ADDRESS}:{PORT}, broker "
        + (f"{BROKER_HOST}:{BROKER_PORT} topic {TOPIC}" if BROKER else "none (local messages only)"))
    server.serve_forever()
    if BROKER is not None:
        BROKER.stop()
    server.server_close()
    log("stopped")


if __name__ == "__main__":
    main()

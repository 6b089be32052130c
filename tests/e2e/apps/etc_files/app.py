# Serves /etc's files on port 8080, like `python3 -m http.server 8080 --directory /etc`, but with
# a listen backlog of 128: with socketserver's 5, when the other backend is killed on a busy
# host this one drops SYNs, nginx's 1 s connect times out and it answers 502 while a backend
# is alive (seen in tests/e2e/two_hosts.sh under load).
import functools
import http.server


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True


handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory="/etc")
Server(("0.0.0.0", 8080), handler).serve_forever()

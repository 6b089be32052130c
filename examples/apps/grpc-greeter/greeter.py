#!/usr/bin/env python3
"""labctl's sample gRPC service (the seed lab "grpc-nginx": two gRPC servers behind nginx).

Serves helloworld.Greeter/SayHello (greeter.proto) answering with this instance's name, and the
standard grpc.health.v1.Health/Check. Needs only Debian's python3-grpcio: the messages are
encoded by wire.py, so there is no protoc step and no generated code.

Environment: PORT (50051), LISTEN_ADDRESS (0.0.0.0), INSTANCE (else LABCTL_INSTANCE, else the
hostname).
"""

import os
import signal
import socket
import sys
import threading
from concurrent import futures

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402  (next to this file)

PORT = int(os.environ.get("PORT", "50051"))
LISTEN_ADDRESS = os.environ.get("LISTEN_ADDRESS", "0.0.0.0")
INSTANCE = os.environ.get("INSTANCE") or os.environ.get("LABCTL_INSTANCE") or socket.gethostname()
SERVING = 1  # grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING


def say_hello(request, context):
    name = request.get(1) or "world"
    return {1: f"Hello {name} from {INSTANCE}", 2: INSTANCE}


def health_check(request, context):
    service = request.get(1, "")
    if service not in ("", "helloworld.Greeter"):
        context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {service}")
    return {1: SERVING}


def unary(handler):
    return grpc.unary_unary_rpc_method_handler(
        handler, request_deserializer=wire.decode, response_serializer=wire.encode)


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((
        grpc.method_handlers_generic_handler("helloworld.Greeter", {"SayHello": unary(say_hello)}),
        grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": unary(health_check)}),
    ))
    address = f"[{LISTEN_ADDRESS}]:{PORT}" if ":" in LISTEN_ADDRESS else f"{LISTEN_ADDRESS}:{PORT}"
    if server.add_insecure_port(address) == 0:
        sys.exit(f"[{INSTANCE}] cannot listen on {address}")
    server.start()
    print(f"[{INSTANCE}] gRPC greeter on {address}", file=sys.stderr, flush=True)

    stopped = threading.Event()

    def on_signal(signum, frame):
        # Finish in-flight calls (up to 2 s) so nginx sees clean stream ends, then exit.
        server.stop(grace=2).wait()
        stopped.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stopped.wait()
    print(f"[{INSTANCE}] stopped", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()

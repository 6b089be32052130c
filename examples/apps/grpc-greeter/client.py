#!/usr/bin/env python3
"""Calls the greeter COUNT times over one channel and prints, as JSON, how many answers came
from each instance: through nginx (grpc_pass) this shows the load balancer's spread.

usage: client.py HOST:PORT [COUNT] [NAME]     (or: client.py HOST:PORT --health)
"""

import collections
import json
import os
import sys

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402


def main():
    target = sys.argv[1]
    # Never through an http_proxy from the environment: the target is the lab itself.
    channel = grpc.insecure_channel(target, options=[("grpc.enable_http_proxy", 0)])
    call = lambda method: channel.unary_unary(  # noqa: E731
        method, request_serializer=wire.encode, response_deserializer=wire.decode)
    if len(sys.argv) > 2 and sys.argv[2] == "--health":
        reply = call("/grpc.health.v1.Health/Check")({}, timeout=5)
        print(json.dumps({"status": "SERVING" if reply.get(1) == 1 else reply.get(1, 0)}))
        return 0 if reply.get(1) == 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    name = sys.argv[3] if len(sys.argv) > 3 else "labctl"
    say_hello = call("/helloworld.Greeter/SayHello")
    per_instance, errors, last = collections.Counter(), 0, ""
    for _ in range(count):
        try:
            reply = say_hello({1: name}, timeout=5)
            per_instance[reply.get(2, "?")] += 1
            last = reply.get(1, "")
        except grpc.RpcError as e:
            errors += 1
            last = f"{e.code().name}: {e.details()}"
    print(json.dumps({"per_instance": per_instance, "errors": errors, "last": last}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

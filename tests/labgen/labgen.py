#!/usr/bin/env python3
"""Generates a random valid labctl lab from a seed: the adversary of every lab in examples/.

    labgen.py SEED OUTDIR [--max-nodes N] [--no-brokers]

writes OUTDIR/lab.toml and OUTDIR/apps/web/app.py (an app that implements only GET / and
GET /health) and prints a JSON summary of what the lab plans (nodes, static addresses,
services) for the runner to compare with `labctl status --json`.

What varies: 1-3 networks (host-only and NAT), 1-9 nodes, static and "dhcp" NICs mixed,
NIC order shuffled (the first NIC, the one SSH uses, may be a DHCP one on any network),
[defaults] or not, any mix of the service types (ActiveMQ or RabbitMQ, MariaDB primary with
replicas, apps with several instances, nginx with every strategy, weights and websockets),
and declared checks drawn to match what the lab runs. Every node shares the first network,
so every reference resolves; everything else is drawn.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STRATEGIES = ["round_robin", "least_conn", "ip_hash", "random"]
NODE_WORDS = ["node", "vm", "app", "srv", "web", "db", "edge", "core"]


def q(text):
    """A TOML basic string."""
    return json.dumps(text)


def toml_list(items):
    return "[" + ", ".join(q(i) for i in items) + "]"


class Lab:
    def __init__(self, seed, max_nodes, brokers):
        self.r = random.Random(seed)
        self.seed = seed
        self.name = f"gen{seed % 100000}"
        self.max_nodes = max_nodes
        self.brokers = brokers
        self.ports = {}  # node -> ports taken
        self.lines = []
        self.checks = []
        self.summary = {"seed": seed, "lab": self.name, "nodes": {}, "services": {}}

    def take(self, node, *ports):
        used = self.ports.setdefault(node, {22})
        if any(p in used for p in ports):
            return False
        used.update(ports)
        return True

    def free_port(self, nodes, low, high, count=1):
        for _ in range(200):
            port = self.r.randint(low, high)
            block = range(port, port + count)
            if all(not (set(block) & self.ports.setdefault(n, {22})) for n in nodes):
                for n in nodes:
                    self.ports[n].update(block)
                return port
        raise RuntimeError("no free port")

    def networks(self):
        count = self.r.randint(1, 3)
        # Distinct /24s per lab (the seed picks the third octet), distinct per network.
        third = self.seed % 200 + 20
        self.nets = []
        for i in range(count):
            mode = self.r.choice(["host-only", "nat"])
            name = f"{'ho' if mode == 'host-only' else 'nat'}{i}"
            self.nets.append((name, mode, f"10.{120 + i}.{third}"))
            self.lines += [f"[networks.{name}]", f"mode = {q(mode)}", f"subnet = {q(f'10.{120 + i}.{third}.0/24')}", ""]

    def nodes(self):
        count = self.r.randint(1, self.max_nodes)
        word = self.r.choice(NODE_WORDS)
        sep = self.r.choice(["", "-"])
        self.node_names = [f"{word}{sep}{i + 1}" for i in range(count)]
        if self.r.random() < 0.5:
            self.lines[0:0] = ["[defaults]", f"memory = {self.r.choice([256, 384, 512])}", ""]
        used = {net: {1} for net, _, _ in self.nets}
        for node in self.node_names:
            mine = [self.nets[0]] + [n for n in self.nets[1:] if self.r.random() < 0.5]
            self.r.shuffle(mine)
            nics, planned = [], {}
            for net, mode, prefix in mine:
                if self.r.random() < 0.4:
                    nics.append(f"{net} = \"dhcp\"")
                    planned[net] = "dhcp"
                else:
                    host = self.r.choice([h for h in range(2, 250) if h not in used[net]])
                    used[net].add(host)
                    nics.append(f"{net} = {q(f'{prefix}.{host}')}")
                    planned[net] = f"{prefix}.{host}"
            self.summary["nodes"][node] = {"networks": planned, "order": [n for n, _, _ in mine]}
            self.lines += [f"[nodes.{node}]", "networks = { " + ", ".join(nics) + " }", ""]

    def pick(self, k):
        return self.r.sample(self.node_names, k)

    def services(self):
        n = len(self.node_names)
        broker = None
        if self.brokers and self.r.random() < 0.35:
            kind = self.r.choice(["activemq", "rabbitmq"])
            (node,) = self.pick(1)
            if self.take(node, 61613, 8161, 61616, 5672, 15672, 4369, 25672):
                broker = "mq"
                self.lines += ["[services.mq]", f"type = {q(kind)}", f"on = {q(node)}", ""]
                self.summary["services"]["mq"] = {"type": kind, "on": [node]}
                self.checks.append({"name": f"STOMP port of {kind}", "tcp": f"{node}:61613"})
        if n >= 2 and self.r.random() < 0.3:
            members = self.pick(self.r.randint(2, min(4, n)))
            if all(self.take(m, 3306) for m in members):
                self.lines += ["[services.db]", 'type = "mysql"', f"primary = {q(members[0])}",
                               f"replicas = {toml_list(members[1:])}", f"database = {q('gen')}", ""]
                self.summary["services"]["db"] = {"type": "mysql", "on": members}
                self.checks.append({"name": "the database port on the primary", "tcp": f"{members[0]}:3306"})
        for index in range(self.r.choice([1, 1, 1, 2]) if self.r.random() < 0.85 else 0):
            self.app(f"web{index + 1}" if index else "web", broker)
        node = self.r.choice(self.node_names)
        self.checks.append({"name": f"the hostname of {node}", "command": ["hostname"], "on": node,
                            "expect_output_sha256": hashlib.sha256(node.encode()).hexdigest()})

    def app(self, name, broker):
        nodes = self.pick(self.r.randint(1, len(self.node_names)))
        instances = self.r.choice([1, 1, 2])
        port = self.free_port(nodes, 8000, 8999, instances)
        env = {"INSTANCE": "${instance.name}", "PORT": "${instance.port}"}
        if broker:
            env["BROKER_HOST"] = "${mq.address}"
            env["BROKER_PORT"] = "${mq.stomp_port}"
        self.lines += [f"[services.{name}]", 'type = "app"', f"on = {toml_list(nodes)}", f"port = {port}"]
        if instances > 1:
            self.lines.append(f"instances = {instances}")
        self.lines += ['run = "python3 /opt/web/app.py"', 'upload = { "apps/web" = "/opt/web" }',
                       "env = { " + ", ".join(f"{k} = {q(v)}" for k, v in env.items()) + " }",
                       'health = "/health"', ""]
        self.summary["services"][name] = {"type": "app", "on": nodes, "port": port, "instances": instances}
        self.checks.append({"name": f"every {name} instance answers /", "http": name, "path": "/",
                            "expect_body": "^instance=" + name + "-"})
        if self.r.random() < 0.75:
            self.balancer(name + "-lb", name, nodes, instances)

    def balancer(self, name, backend, backend_nodes, instances):
        on = self.pick(self.r.choice([1, 1, 2]) if len(self.node_names) > 1 else 1)
        listen = None
        for candidate in self.r.sample([80, 8090, 8088, 9000, 8443], 5):
            if all(candidate not in self.ports.setdefault(n, {22}) for n in on):
                listen = candidate
                break
        if listen is None:
            return
        for n in on:
            self.ports[n].add(listen)
        strategy = self.r.choice(STRATEGIES)
        self.lines += [f"[services.{name}]", 'type = "nginx"', f"on = {toml_list(on)}", f"listen = {listen}",
                       f"backend = {q(backend)}", f"strategy = {q(strategy)}"]
        if len(backend_nodes) > 1 and self.r.random() < 0.5:
            weighted = self.r.sample(backend_nodes, self.r.randint(1, len(backend_nodes)))
            self.lines.append("weights = { " + ", ".join(f"{q(w)} = {self.r.randint(1, 4)}" for w in weighted) + " }")
        if self.r.random() < 0.5:
            self.lines.append("websocket = true")
        self.lines += [f"max_fails = {self.r.choice([1, 2])}", 'fail_timeout = "5s"', 'connect_timeout = "1s"', ""]
        self.summary["services"][name] = {"type": "nginx", "on": on, "listen": listen, "strategy": strategy}
        self.checks.append({"name": f"{name} answers through nginx", "http": name, "path": "/health",
                            "expect_status": 200})
        others = [n for n in backend_nodes if n not in on]
        if len(backend_nodes) >= 2 and others and self.r.random() < 0.3:
            self.checks.append({"name": f"losing {backend} on {others[0]} costs no request",
                                "failover": f"{others[0]}/{backend}", "mode": "process", "max_failed": 0, "points": 2})

    def render(self):
        head = [f"# Generated by tests/labgen/labgen.py from seed {self.seed}; reproduce with",
                f"#   tests/labgen/labgen.py {self.seed} DIR", "[lab]", f"name = {q(self.name)}", ""]
        body = []
        for check in self.checks:
            body.append("[[checks]]")
            for key, value in check.items():
                if isinstance(value, list):
                    body.append(f"{key} = {toml_list(value)}")
                elif isinstance(value, str):
                    body.append(f"{key} = {q(value)}")
                else:
                    body.append(f"{key} = {value}")
            body.append("")
        return "\n".join(head + self.lines + body)


def generate(seed, outdir, max_nodes=9, brokers=True):
    lab = Lab(seed, max_nodes, brokers)
    lab.networks()
    lab.nodes()
    lab.services()
    os.makedirs(os.path.join(outdir, "apps", "web"), exist_ok=True)
    shutil.copy(os.path.join(HERE, "app", "app.py"), os.path.join(outdir, "apps", "web", "app.py"))
    with open(os.path.join(outdir, "lab.toml"), "w") as f:
        f.write(lab.render())
    lab.summary["checks"] = len(lab.checks)
    lab.summary["points"] = sum(c.get("points", 1) for c in lab.checks)
    return lab.summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", type=int)
    parser.add_argument("outdir")
    parser.add_argument("--max-nodes", type=int, default=9)
    parser.add_argument("--no-brokers", action="store_true", help="no ActiveMQ/RabbitMQ (faster labs)")
    args = parser.parse_args()
    summary = generate(args.seed, args.outdir, args.max_nodes, not args.no_brokers)
    json.dump(summary, sys.stdout)
    print()


if __name__ == "__main__":
    main()

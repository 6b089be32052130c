#!/usr/bin/env bash
# End to end on libvirt LXC, inside a network namespace this script creates and removes:
# for each lab given (default: the 2-node ActiveMQ failover lab), `labctl up` (networks,
# overlay clones, seed, boot, SSH, provisioning, verify), `status` all reachable and healthy,
# `check --json` every declared check passed with all its points, HTTPS through a `tls = true`
# nginx with `curl --cacert "$(labctl ca)"` answered by several instances, a second `up` that
# changes nothing, `kill` with 0 failed requests (gRPC: none after the failover; a swarm
# worker is powered off and its service must be whole again on the others), `revive`, `verify`,
# and `down` leaving no libvirt object, overlay or host directory behind.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}
labs=("$@")
[ ${#labs[@]} -gt 0 ] || labs=("$root/examples/activemq-failover/lab.toml")

e2e_init
e2e_private_home "$labctl"
ns=labctl-e2e-lxc-$$
netns_up "$ns"
lab_cmd() { in_ns "$ns" "$labctl" --no-color --connect "$E2E_URI_LXC" --driver lxc "$@"; }

for lab in "${labs[@]}"; do
    name=$(awk -F'"' '/^name *=/ {print $2; exit}' "$lab")
    e2e_log "== $lab (lab $name)"
    started=$(e2e_now)
    if ! lab_cmd -f "$lab" up >&2; then
        # What the nodes saw, for the log: each container's state and its sshd, seed and PAM
        # messages, read through libvirt (lxc-enter-namespace), so it works when SSH does not.
        for node in $(awk -F'[].[]' '/^\[nodes\./ {print $3}' "$lab"); do
            e2e_log "-- $node: $(virsh -q -c "$E2E_URI_LXC" domstate "$name-$node" 2>&1)"
            timeout 20 virsh -q -c "$E2E_URI_LXC" lxc-enter-namespace "$name-$node" --noseclabel -- \
                /bin/sh -c 'ls -l /run/nologin /etc/nologin 2>&1; journalctl -n 40 --no-pager -u ssh -u labctl-seed' >&2 || true
        done
        e2e_die "labctl up failed for $lab"
    fi
    e2e_log "up + provision + verify: $(e2e_since "$started") s"

    # Each node's systemd has a cgroup tree of its own (labctl's lxc init wrapper), not the
    # one every container shares on a cgroup v1 host without systemd.
    first=$(awk -F'[].[]' '/^\[nodes\./ {print $3; exit}' "$lab")
    lab_cmd -f "$lab" ssh "$first" -- cat /proc/1/cgroup | python3 -c '
import sys
paths = dict(line.strip().split(":", 2)[1:] for line in sys.stdin if line.count(":") >= 2)
own = paths.get("cpu") or paths.get("cpu,cpuacct") or ""
if own.endswith(".libvirt-lxc") and "name=systemd" in paths:
    assert paths["name=systemd"].startswith(own + "/"), paths
    print("cgroups: systemd runs in", paths["name=systemd"])' >&2 || e2e_die "node $first shares the name=systemd cgroup"

    status=$(lab_cmd -f "$lab" status --json)
    echo "$status" | python3 -c '
import json, sys
status = json.load(sys.stdin)
bad = [n["name"] for n in status["nodes"] if n["state"] != "running" or not n["ssh"]]
sick = [s["instance"] for n in status["nodes"] for s in n["services"] if not s["healthy"]]
# Observed, not planned: every NIC shows the address the guest really has, equal to the plan.
unplanned = [(n["name"], n["addresses"], n["planned"]) for n in status["nodes"]
             if not n["addresses_as_planned"] or n["addresses"] != n["planned"]]
assert not bad, f"nodes not running/reachable: {bad}"
assert not unplanned, f"addresses differ from the plan: {unplanned}"
assert not sick, f"unhealthy instances: {sick}"
print("status: %d nodes running, reachable, addressed as planned, healthy" % len(status["nodes"]))' >&2 || e2e_die "status: $status"

    # The lab's own [[checks]]: every one passes and earns all its points.
    checks=$(lab_cmd -f "$lab" check --json) || e2e_die "check: $checks"
    echo "$checks" | python3 -c '
import json, sys
report = json.load(sys.stdin)
failed = [c["name"] + ": " + c["detail"] for c in report["checks"] if not c["ok"]]
assert report["ok"] and not failed, f"declared checks failed: {failed}"
assert report["points"] == report["points_possible"], report
print("check: %d declared checks, %d of %d points" % (len(report["checks"]), report["points"], report["points_possible"]))' >&2 ||
        e2e_die "check: $checks"

    # A lab with `tls = true`: its CA's path from `labctl ca`, HTTPS through every such nginx
    # checked against it by curl (a client that is not labctl), plain HTTP redirected there.
    if ca=$(lab_cmd -f "$lab" ca 2>/dev/null); then
        [ "$(stat -c %a "$(dirname "$ca")/ca.key")" = 600 ] || e2e_die "the lab CA key is not 0600"
        while read -r address port listen; do
            body=$(in_ns "$ns" curl -sS --fail --cacert "$ca" "https://$address:$port/" </dev/null) ||
                e2e_die "curl --cacert $ca https://$address:$port/ failed"
            e2e_log "curl --cacert \$(labctl ca) https://$address:$port/: $body"
            want="https://$address:$port/x"
            [ "$port" != 443 ] || want="https://$address/x"
            location=$(in_ns "$ns" curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://$address:$listen/x" </dev/null)
            [ "$location" = "301 $want" ] || e2e_die "http://$address:$listen/x answered $location, not a 301 to $want"
            ! in_ns "$ns" curl -sS -o /dev/null "https://$address:$port/" </dev/null 2>/dev/null ||
                e2e_die "curl trusted the lab's certificate without the lab CA"
            # Pages that name the instance that answered: several of them answer in turn.
            seen=$(for _ in $(seq 1 30); do
                in_ns "$ns" curl -sS --fail --cacert "$ca" "https://$address:$port/" </dev/null |
                    grep -o 'instance=[A-Za-z0-9_.-]*' || true
            done | sort -u)
            e2e_log "instances answering through https://$address:$port/: $(echo $seen)"
            [ "$(echo "$seen" | grep -c .)" -ge 2 ] || e2e_die "one instance answered 30 requests"
        done < <(python3 - "$lab" <<'PY'
import sys, tomllib
lab = tomllib.load(open(sys.argv[1], "rb"))
for svc in lab.get("services", {}).values():
    if svc.get("type") == "nginx" and svc.get("tls"):
        for node in [svc["on"]] if isinstance(svc["on"], str) else svc["on"]:
            nets = lab["nodes"][node]["networks"]
            address = next(a for a in nets.values() if a != "dhcp")
            print(address, svc.get("tls_listen", 443), svc.get("listen", 80))
PY
)
    fi

    again=$(lab_cmd -f "$lab" up)
    echo "$again" | grep -q "nothing changed" || e2e_die "second up changed libvirt objects: $again"
    echo "$again" | grep -q "provisioned .*, 0 changed" || e2e_die "second up changed services: $again"
    e2e_log "second up: nothing changed"

    # Fail over: the first node that runs an app instance behind the balancer, not the balancer's.
    target=$(python3 - "$lab" <<'PY'
import sys, tomllib
lab = tomllib.load(open(sys.argv[1], "rb"))
services = lab.get("services", {})
for name, svc in services.items():
    if svc.get("type") != "nginx":
        continue
    backend = services[svc["backend"]]
    lb = svc["on"] if isinstance(svc["on"], str) else svc["on"][0]
    if backend["type"] == "container":
        # A swarm service: a worker node goes away whole (its replicas move to the others).
        swarm = services[backend["cluster"]]
        print(f"{swarm['workers'][-1]} http poweroff")
        break
    nodes = backend["on"] if isinstance(backend["on"], list) else [backend["on"]]
    others = [n for n in nodes if n != lb] or nodes
    print(f"{others[-1]}/{svc['backend']} {backend.get('protocol', 'http')} process")
    break
PY
)
    if [ -n "$target" ]; then
        read -r target protocol mode <<<"$target"
        kill_json=$(lab_cmd -f "$lab" kill "$target" --mode "$mode" --requests 300 --rate 100 --json)
        echo "$kill_json" >&2
        # A swarm service is whole again: all its replicas running on the other nodes.
        echo "$kill_json" | python3 -c '
import json, sys
r = json.load(sys.stdin)
bad = [x for x in r.get("recovery", []) if not x["ok"]]
assert not bad, bad
for x in r.get("recovery", []):
    print("recovery: %s whole again %.1f s after the fault" % (x["service"], x["seconds"]))' >&2 ||
            e2e_die "kill $target: a swarm service did not recover"
        # HTTP: nginx retries a request the dead instance never answered, so none is lost. gRPC
        # calls are POSTs that nginx does not send twice (grpc_next_upstream without
        # non_idempotent): a call in flight at the kill is lost, every later one is answered.
        echo "$kill_json" | PROTOCOL=$protocol python3 -c '
import json, os, sys
r = json.load(sys.stdin)
assert r["split_after"] and r["failed_before"] == 0 and r["failed_after"] == 0, r
assert r["failed"] == 0 if os.environ["PROTOCOL"] == "http" else r["failed_during"] <= 5, r' ||
            e2e_die "kill $target lost requests"
        lab_cmd -f "$lab" revive "$target" >&2 || e2e_die "revive $target"
        # A revived swarm node is Ready in the swarm again, its service whole.
        if [ "$mode" = poweroff ]; then
            lab_cmd -f "$lab" verify >&2 || e2e_die "verify after reviving $target"
        fi
    fi

    lab_cmd -f "$lab" down >&2
    left=$(e2e_leftovers "$ns" "$name-")
    [ -z "$(echo "$left" | tr -d '[:space:]')" ] || e2e_die "down left libvirt objects: $left"
    ! findmnt -rn -o TARGET | grep -q "$LABCTL_HOME/labs/$name/" || e2e_die "down left overlay mounts"
    # Host directories mounted into nodes (a swarm node's /var/lib/docker) live beside the
    # overlays and go with them.
    [ ! -e "$LABCTL_HOME/labs/$name/overlays" ] || e2e_die "down left $LABCTL_HOME/labs/$name/overlays"
    cgroups=$(ls -d /sys/fs/cgroup/*/machine/lxc-*-"$name"-*.libvirt-lxc 2>/dev/null || true)
    [ -z "$cgroups" ] || e2e_die "down left cgroups: $cgroups"
    lab_cmd -f "$lab" down >&2  # a second down is a no-op
    e2e_log "== $lab: passed"
done
echo "e2e lxc: ${#labs[@]} passed, 0 failed"

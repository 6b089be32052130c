#!/usr/bin/env bash
# Lab lifecycle (issue 13) on libvirt LXC, inside a network namespace this script creates and
# removes, with a 2-node lab running an app on both nodes:
#   1. `exec @web --json` answers for every node of the service;
#   2. `ls --json` lists the lab from its tags; a second lab with the same subnet is refused
#      at `up` (exit 2) naming the first, before anything of it exists;
#   3. `stop n2`: `status` shows it `stopped`, `up` leaves it stopped and says so; `start n2`
#      brings it back with the same addresses and its service healthy; so does `restart n1`;
#   4. `netem n1 --delay 200ms` raises the n1->n2 ping RTT above 180 ms, `--reset` restores it
#      (on a kernel without sch_netem: labctl says so, exit 3, and leaves nothing behind);
#   5. `snapshot save s1`; a file written after it and one removed after it (and an image file
#      removed before it: an overlay whiteout) are as at the save after `snapshot restore s1`;
#      addresses as planned, services healthy, SSH with the pinned keys; `list --json`, `rm`;
#   6. `[lab] forward = { "18080" = "n1:8080" }`: curl to 127.0.0.1:18080 in the namespace
#      reaches n1's app; another lab forwarding the same port, or a port a program listens
#      on, is refused at `up` (exit 2) before anything of it exists;
#   7. `down` leaves no libvirt object, no overlay, no ifb device, no snapshot, no nftables
#      table, and `ls` no longer lists it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}

e2e_init
e2e_private_home "$labctl"
ns=labctl-e2e-life-$$
netns_up "$ns"
lab_cmd() { in_ns "$ns" "$labctl" --no-color --connect "$E2E_URI_LXC" --driver lxc "$@"; }

lab=$E2E_TMP/lab.toml
cat >"$lab" <<'TOML'
[lab]
name = "life"
driver = "lxc"
forward = { "18080" = "n1:8080" }

[networks.lan]
mode = "host-only"
subnet = "10.231.9.0/24"

[nodes.n1]
networks = { lan = "10.231.9.11" }

[nodes.n2]
networks = { lan = "10.231.9.12" }

[services.web]
type = "app"
on = ["n1", "n2"]
port = 8080
run = "python3 -m http.server 8080 --directory /etc"
health = "/hostname"
TOML
json() { python3 -c "import json, sys; data = json.load(sys.stdin); $1"; }

started=$(e2e_now)
lab_cmd -f "$lab" up >&2 || e2e_die "up failed"
e2e_log "up + provision + verify: $(e2e_since "$started") s"

# 1. exec on every node of a service.
out=$(lab_cmd -f "$lab" exec @web --json -- hostname) || e2e_die "exec failed: $out"
echo "$out" | json '
got = {n["node"]: (n["exit_code"], n["stdout"].strip()) for n in data}
assert got == {"n1": (0, "n1"), "n2": (0, "n2")}, got
print("exec @web: every node answered", got)' >&2 || e2e_die "exec --json: $out"
rc=0
lab_cmd -f "$lab" exec 'n*' -- 'test "$(hostname)" = n1' >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || e2e_die "exec exit code is not the worst node's: $rc"
rc=0
err=$(lab_cmd -f "$lab" exec nope -- true 2>&1) || rc=$?
[ "$rc" = 2 ] && echo "$err" | grep -q "unknown node \`nope\`" || e2e_die "exec on an unknown node: $rc $err"

# 2. ls from the tags, and a colliding lab refused before anything changes.
out=$(lab_cmd ls --json)
echo "$out" | LAB="$lab" json '
import os
labs = {l["name"]: l for l in data["labs"]}
life = labs["life"]
assert (life["driver"], life["running"], life["total"]) == ("lxc", 2, 2), life
assert life["file"] == os.environ["LAB"], life
print("ls:", life)' >&2 || e2e_die "ls --json: $out"
clash=$E2E_TMP/clash.toml
sed 's/name = "life"/name = "clash"/' "$lab" >"$clash"
rc=0
err=$(lab_cmd -f "$clash" up --no-verify 2>&1) || rc=$?
[ "$rc" = 2 ] && echo "$err" | grep -q "collides with lab life" || e2e_die "colliding lab: exit $rc: $err"
left=$(e2e_leftovers "$ns" clash-)
[ -z "$(echo "$left" | tr -d '[:space:]')" ] || e2e_die "the refused lab left objects: $left"

# 3. stop / up / start.
addresses() { lab_cmd -f "$lab" status --json | json 'print(json.dumps({n["name"]: n["addresses"] for n in data["nodes"]}, sort_keys=True))'; }
before=$(addresses)
lab_cmd -f "$lab" stop n2 >&2 || e2e_die "stop failed"
out=$(lab_cmd -f "$lab" status --json)
echo "$out" | json '
states = {n["name"]: n["state"] for n in data["nodes"]}
assert states == {"n1": "running", "n2": "stopped"}, states' || e2e_die "status after stop: $out"
out=$(lab_cmd -f "$lab" up --no-verify) || e2e_die "up with a stopped node failed: $out"
echo "$out" >&2
echo "$out" | grep -q "n2 stopped by the user: left stopped" || e2e_die "up did not say it left n2 stopped"
state=$(virsh -q -c "$E2E_URI_LXC" domstate life-n2)
[ "$state" = "shut off" ] || e2e_die "up started n2 behind the user's back: $state"
started=$(e2e_now)
lab_cmd -f "$lab" start n2 >&2 || e2e_die "start failed"
e2e_log "start n2 (ssh, addresses, service): $(e2e_since "$started") s"
out=$(lab_cmd -f "$lab" status --json)
echo "$out" | json '
n2 = [n for n in data["nodes"] if n["name"] == "n2"][0]
assert n2["state"] == "running" and n2["ssh"] and n2["addresses_as_planned"], n2
assert n2["services"] and all(s["healthy"] for s in n2["services"]), n2["services"]' ||
    e2e_die "status after start: $out"
[ "$(addresses)" = "$before" ] || e2e_die "addresses changed: $before -> $(addresses)"
lab_cmd -f "$lab" restart n1 >&2 || e2e_die "restart failed"
[ "$(addresses)" = "$before" ] || e2e_die "addresses changed by restart: $before -> $(addresses)"

# 4. netem on n1's NIC, measured from n1 to n2.
rtt() { lab_cmd -f "$lab" exec n1 -- ping -c 5 -i 0.2 -q 10.231.9.12 | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p'; }
base=$(rtt)
[ -n "$base" ] || e2e_die "no baseline RTT"
if in_ns "$ns" sh -c 'ip link add lcprobe0 type veth peer name lcprobe1 &&
        tc qdisc add dev lcprobe0 root netem delay 1ms; rc=$?; ip link del lcprobe0; exit $rc' 2>/dev/null; then
    lab_cmd -f "$lab" netem n1 --delay 200ms >&2 || e2e_die "netem failed"
    impaired=$(rtt)
    e2e_log "RTT n1->n2: $base ms, with netem --delay 200ms: $impaired ms"
    awk -v r="$impaired" 'BEGIN {exit !(r > 180)}' || e2e_die "netem did not raise the RTT: $impaired ms"
    lab_cmd -f "$lab" netem n1 --show | grep -q "delay 200ms" || e2e_die "netem --show"
    lab_cmd -f "$lab" netem n1 --reset >&2 || e2e_die "netem --reset failed"
    restored=$(rtt)
    e2e_log "after --reset: $restored ms"
    awk -v r="$restored" 'BEGIN {exit !(r < 100)}' || e2e_die "--reset did not restore the RTT: $restored ms"
else
    # This host's kernel has no netem qdisc: labctl must say so (exit 3) and leave nothing.
    e2e_log "SKIP the RTT part: this kernel has no sch_netem (CONFIG_NET_SCH_NETEM)"
    rc=0
    err=$(lab_cmd -f "$lab" netem n1 --delay 200ms 2>&1) || rc=$?
    [ "$rc" = 3 ] && echo "$err" | grep -q "no netem qdisc" || e2e_die "netem without sch_netem: exit $rc: $err"
    lab_cmd -f "$lab" netem n1 --reset >&2 || e2e_die "netem --reset failed"
    [ -z "$(in_ns "$ns" ip -o link show type ifb)" ] || e2e_die "ifb devices left after --reset"
fi
rc=0
lab_cmd -f "$lab" netem n1 --delay 100 >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || e2e_die "netem --delay 100 (no unit) exited $rc, not 2"

# 5. snapshot save / restore / list / rm.
lab_cmd -f "$lab" exec n1 -- 'test -e /etc/issue.net && sudo -n rm /etc/issue.net && echo kept >~/kept' >&2 ||
    e2e_die "cannot prepare n1 for the snapshot"
before=$(addresses)
out=$(lab_cmd -f "$lab" snapshot save s1) || e2e_die "snapshot save failed: $out"
echo "$out" >&2
echo "$out" | grep -q "snapshot s1  saved: 2 nodes, .* in " || e2e_die "save did not say its size and time"
lab_cmd -f "$lab" exec n1 -- 'echo after >~/after && rm ~/kept' >&2 || e2e_die "cannot write after the save"
out=$(lab_cmd -f "$lab" snapshot restore s1) || e2e_die "snapshot restore failed: $out"
echo "$out" >&2
echo "$out" | grep -q "snapshot s1  restored: 2 nodes, .* in " || e2e_die "restore did not say its size and time"
lab_cmd -f "$lab" exec n1 -- 'test ! -e ~/after && test "$(cat ~/kept)" = kept && test ! -e /etc/issue.net' ||
    e2e_die "n1's disk is not as it was at the save"
out=$(lab_cmd -f "$lab" status --json)
echo "$out" | json '
for n in data["nodes"]:
    assert n["state"] == "running" and n["ssh"] and n["addresses_as_planned"], n
    assert n["services"] and all(s["healthy"] for s in n["services"]), n["services"]' ||
    e2e_die "status after restore: $out"
[ "$(addresses)" = "$before" ] || e2e_die "addresses changed by restore: $before -> $(addresses)"
lab_cmd -f "$lab" ssh n2 -- true || e2e_die "ssh with the pinned host key after restore"
out=$(lab_cmd -f "$lab" snapshot list --json)
echo "$out" | json '
s = data["snapshots"]
assert [x["name"] for x in s] == ["s1"] and s[0]["nodes"] == ["n1", "n2"] and s[0]["size_bytes"] > 0, s
assert s[0]["created"].endswith("Z"), s
print("snapshot list:", s)' >&2 || e2e_die "snapshot list --json: $out"
rc=0
err=$(lab_cmd -f "$lab" snapshot restore nope 2>&1) || rc=$?
[ "$rc" = 2 ] && echo "$err" | grep -q "no snapshot \`nope\`" || e2e_die "restore of an unknown snapshot: $rc $err"
rc=0
lab_cmd -f "$lab" snapshot save Bad_Name >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || e2e_die "snapshot save Bad_Name exited $rc, not 2"
lab_cmd -f "$lab" snapshot rm s1 >&2 || e2e_die "snapshot rm failed"
lab_cmd -f "$lab" snapshot list --json | json 'assert data["snapshots"] == [], data' || e2e_die "rm left the snapshot listed"
lab_cmd -f "$lab" snapshot save s2 >&2 || e2e_die "snapshot save s2 failed"  # for down to remove

# 6. the forward: 127.0.0.1:18080 in the namespace reaches n1's app.
body=$(in_ns "$ns" curl -sS --fail --max-time 10 http://127.0.0.1:18080/hostname) || e2e_die "curl through the forward failed"
[ "$(echo "$body" | tr -d '[:space:]')" = n1 ] || e2e_die "the forward reached $body, not n1"
e2e_log "forward 127.0.0.1:18080 -> n1:8080: $body"
again=$(lab_cmd -f "$lab" up --no-verify -v) || e2e_die "second up failed"
echo "$again" | grep -q "forwards  unchanged" || e2e_die "a second up touched the forwards: $again"
other=$E2E_TMP/other.toml
sed -e 's/name = "life"/name = "other"/' -e 's/10\.231\.9\./10.231.10./g' "$lab" >"$other"
rc=0
err=$(lab_cmd -f "$other" up --no-verify 2>&1) || rc=$?
[ "$rc" = 2 ] && echo "$err" | grep -q "host port 18080 is already forwarded by lab life" ||
    e2e_die "a second lab on the same port: exit $rc: $err"
in_ns "$ns" python3 -m http.server 18081 --bind 127.0.0.1 >/dev/null 2>&1 &
listener=$!
e2e_on_cleanup "kill $listener 2>/dev/null || true"
sed -i 's/"18080"/"18081"/' "$other"
for _ in $(seq 1 50); do in_ns "$ns" ss -Hltn 'sport = :18081' | grep -q . && break; sleep 0.1; done
rc=0
err=$(lab_cmd -f "$other" up --no-verify 2>&1) || rc=$?
kill "$listener" 2>/dev/null || true
[ "$rc" = 2 ] && echo "$err" | grep -q "host port 18081 is in use on this host" ||
    e2e_die "a port a program listens on: exit $rc: $err"
left=$(e2e_leftovers "$ns" other-)
[ -z "$(echo "$left" | tr -d '[:space:]')" ] || e2e_die "the refused lab left objects: $left"

# 7. down leaves nothing.
lab_cmd -f "$lab" down >&2
left=$(e2e_leftovers "$ns" life-)
[ -z "$(echo "$left" | tr -d '[:space:]')" ] || e2e_die "down left libvirt objects: $left"
[ -z "$(in_ns "$ns" ip -o link show type ifb)" ] || e2e_die "down left ifb devices"
findmnt -rn -o TARGET | grep -q "^$LABCTL_HOME/labs/life/" && e2e_die "down left an overlay mounted"
lab_cmd ls --json | json 'assert "life" not in [l["name"] for l in data["labs"]], data' || e2e_die "ls still lists the lab"
[ ! -e "$LABCTL_HOME/labs/life/snapshots" ] || e2e_die "down left the snapshots"
in_ns "$ns" nft list table ip labctl-life >/dev/null 2>&1 && e2e_die "down left the nftables table labctl-life"
rc=0
in_ns "$ns" curl -sS --max-time 3 http://127.0.0.1:18080/ >/dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || e2e_die "the forward still answers after down"
echo "e2e lifecycle: passed"

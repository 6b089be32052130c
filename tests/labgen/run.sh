#!/usr/bin/env bash
# Runs generated labs (tests/labgen/labgen.py) on libvirt LXC, inside a network namespace with
# a private libvirtd that this script creates and removes. For each seed:
#   validate; `up` exits 0; `status --json` equals the plan (every node running, SSH, every
#   NIC with its planned address, static ones as written, every instance healthy); `check
#   --json` passes with every point; a second `up` changes nothing; `down` leaves nothing.
# Prints PASS/FAIL per seed; a failure prints the seed, the step and the lab file.
#
#   tests/labgen/run.sh [SEED...]                 the given seeds (default: the CI handful)
#   tests/labgen/run.sh --soak N [--first SEED]   N seeds from SEED (default: from the clock)
#   --budget SECONDS   start no new seed after this long (CI keeps its run bounded)
#   --keep-going       go on after a failure (the soak does)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}

seeds=()
soak=0
first=
budget=0
keep_going=0
max_nodes=9
while [ $# -gt 0 ]; do
    case $1 in
        --soak) soak=$2; keep_going=1; shift 2 ;;
        --first) first=$2; shift 2 ;;
        --budget) budget=$2; shift 2 ;;
        --keep-going) keep_going=1; shift ;;
        --max-nodes) max_nodes=$2; shift 2 ;;
        -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
        *) seeds+=("$1"); shift ;;
    esac
done
if [ "$soak" -gt 0 ]; then
    [ -n "$first" ] || first=$(( $(date +%s) % 90000 + 1000 ))
    for ((i = 0; i < soak; i++)); do seeds+=($((first + i))); done
fi
# The CI handful: fixed seeds, so a red CI reproduces; together they cover host-only and NAT,
# static and DHCP first NICs, 1 to 9 nodes, both brokers, MariaDB and every strategy.
[ ${#seeds[@]} -gt 0 ] || seeds=(11 21 3)

e2e_init
e2e_private_home "$labctl"
ns=labctl-labgen-$$
netns_up "$ns"
lab_cmd() { in_ns "$ns" "$labctl" --no-color --connect "$E2E_URI_LXC" --driver lxc "$@"; }

passed=0
failed=0
failures=()
suite_started=$(e2e_now)

# Compares `status --json` with the generator's summary: prints what differs.
status_matches_plan() {
    python3 - "$1" "$2" <<'PY'
import json, sys
status = json.load(open(sys.argv[1]))
plan = json.load(open(sys.argv[2]))
problems = []
nodes = {n["name"]: n for n in status["nodes"]}
if set(nodes) != set(plan["nodes"]):
    problems.append(f"nodes {sorted(nodes)} != planned {sorted(plan['nodes'])}")
for name, want in plan["nodes"].items():
    n = nodes.get(name)
    if not n:
        continue
    if n["state"] != "running" or not n["ssh"]:
        problems.append(f"{name}: state {n['state']}, ssh {n['ssh']} {n.get('ssh_error', '')}")
    for net, address in want["networks"].items():
        seen, planned = n["addresses"].get(net), n["planned"].get(net)
        if seen is None or seen != planned:
            problems.append(f"{name}: {net} has {seen}, planned {planned}")
        if address != "dhcp" and planned != address:
            problems.append(f"{name}: {net} planned {planned}, the file says {address}")
    if not n.get("addresses_as_planned"):
        problems.append(f"{name}: addresses_as_planned false: {n.get('address_problems')}")
    for s in n["services"]:
        if not s["healthy"]:
            problems.append(f"{name}: {s['instance']} unhealthy: {s['detail']}")
print("\n".join(problems))
sys.exit(1 if problems else 0)
PY
}

run_seed() {
    local seed=$1 dir=$E2E_TMP/seed-$1 log=$E2E_TMP/seed-$1.log name step
    python3 "$root/tests/labgen/labgen.py" "$seed" "$dir" --max-nodes "$max_nodes" >"$dir.plan.json"
    name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lab"])' "$dir.plan.json")
    local lab=$dir/lab.toml
    step=validate
    lab_cmd -f "$lab" validate >>"$log" 2>&1 || return 1
    step=up
    lab_cmd -f "$lab" up >>"$log" 2>&1 || { echo "$step" >"$dir.step"; return 1; }
    step=status
    lab_cmd -f "$lab" status --json >"$dir.status.json" 2>>"$log" || { echo "$step" >"$dir.step"; return 1; }
    status_matches_plan "$dir.status.json" "$dir.plan.json" >>"$log" 2>&1 || { echo "$step" >"$dir.step"; return 1; }
    step=check
    lab_cmd -f "$lab" check --json >"$dir.check.json" 2>>"$log" || { echo "$step" >"$dir.step"; cat "$dir.check.json" >>"$log"; return 1; }
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] and r["points"] == r["points_possible"], r' "$dir.check.json" >>"$log" 2>&1 || { echo "$step" >"$dir.step"; return 1; }
    step="second up"
    lab_cmd -f "$lab" up --no-verify >"$dir.again" 2>>"$log" || { echo "$step" >"$dir.step"; return 1; }
    cat "$dir.again" >>"$log"
    grep -q "nothing changed" "$dir.again" && grep -q "provisioned .*, 0 changed" "$dir.again" ||
        { echo "$step" >"$dir.step"; return 1; }
    step=down
    lab_cmd -f "$lab" down >>"$log" 2>&1 || { echo "$step" >"$dir.step"; return 1; }
    local left
    left=$(e2e_leftovers "$ns" "$name-")
    [ -z "$(echo "$left" | tr -d '[:space:]')" ] || { echo "down left: $left" >>"$log"; echo "$step" >"$dir.step"; return 1; }
    ! findmnt -rn -o TARGET | grep -q "$LABCTL_HOME/labs/$name/" || { echo "down left mounts" >>"$log"; echo "$step" >"$dir.step"; return 1; }
    return 0
}

for seed in "${seeds[@]}"; do
    if [ "$budget" -gt 0 ] && [ "$(awk -v s="$suite_started" -v n="$(e2e_now)" -v b="$budget" 'BEGIN {print (n - s > b)}')" = 1 ]; then
        e2e_log "budget of ${budget}s spent: no new seed started"
        break
    fi
    started=$(e2e_now)
    if run_seed "$seed"; then
        passed=$((passed + 1))
        echo "seed $seed: PASS ($(e2e_since "$started") s)"
    else
        failed=$((failed + 1))
        failures+=("$seed")
        dir=$E2E_TMP/seed-$seed
        echo "seed $seed: FAIL at $(cat "$dir.step" 2>/dev/null || echo validate) ($(e2e_since "$started") s)"
        echo "---- reproduce: tests/labgen/labgen.py $seed DIR && labctl -f DIR/lab.toml up"
        cat "$dir/lab.toml"
        echo "---- labctl output (last 60 lines)"
        tail -n 60 "$E2E_TMP/seed-$seed.log"
        echo "----"
        # Leave nothing behind for the next seed, whatever state this one stopped in.
        lab_cmd -f "$dir/lab.toml" down >/dev/null 2>&1 || true
        [ "$keep_going" = 1 ] || break
    fi
done
[ ${#failures[@]} -eq 0 ] || echo "failed seeds: ${failures[*]}"
echo "labgen: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# The demo: builds labctl, then checks and renders the example labs (validate, render,
# graph). Needs scripts/setup.sh first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" >/dev/null
labctl="$root/build/labctl"
lab="$root/examples/activemq-failover/lab.toml"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "validate every example lab"
for file in "$root"/examples/*/lab.toml; do "$labctl" validate -f "$file"; done

step "render the ActiveMQ failover lab into out/ (DIR/NODE/PATH)"
rm -rf "$root/out"
"$labctl" render -f "$lab" -o "$root/out" | sed "s|$root/||"

step "the generated nginx balancer"
cat "$root/out/server1/etc/nginx/conf.d/balancer.conf"

step "deployment diagram (mermaid)"
"$labctl" graph -f "$lab" --format mermaid

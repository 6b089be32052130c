#!/usr/bin/env bash
# The load generator's HTTP client: libcurl (provisioners/probe/http.cpp) against the
# hand-written HTTP/1.1 client it replaced (taken from git at LEGACY_COMMIT, never kept in the
# tree). Both drive a real nginx on 127.0.0.1: answering from memory with X-Upstream (so the
# client is what is measured), and proxying to the sample chat app, as a lab's load does.
# Prints requests per second and client CPU per request, best of 3, and the ratios; asserts
# nothing about time.
#   tests/bench/http_client.sh [REQUESTS] [LEGACY_COMMIT]   # needs g++, nginx, libcurl dev
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
requests=${1:-20000}
legacy_commit=${2:-83731ce}  # the last commit with the hand-written client
work=$(mktemp -d)
nginx_pid=
app_pid=
cleanup() {
    if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
    if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/legacy/probe" "$work/nginx/logs"
git -C "$root" show "$legacy_commit:provisioners/probe/http.hpp" >"$work/legacy/probe/http.hpp"
git -C "$root" show "$legacy_commit:provisioners/probe/http.cpp" >"$work/legacy/http.cpp"
p=$root/provisioners
cxx="g++ -std=c++20 -O2 -pthread"
# The legacy header shadows the tree's; socket.hpp and util/ come from the tree.
$cxx -I"$work/legacy" -I"$p" "$root/tests/bench/http_client_driver.cpp" "$work/legacy/http.cpp" \
    "$p/probe/socket.cpp" "$p/util/files.cpp" -o "$work/legacy_driver"
$cxx -I"$p" "$root/tests/bench/http_client_driver.cpp" "$p/probe/http.cpp" "$p/probe/curl_handle.cpp" \
    $(pkg-config --cflags --libs libcurl) -o "$work/curl_driver"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
app_port=$(free_port)
PORT=$app_port LISTEN_ADDRESS=127.0.0.1 INSTANCE=bench /usr/bin/python3 "$root/examples/apps/chat/app.py" \
    >"$work/app.log" 2>&1 &
app_pid=$!
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 256; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    add_header X-Upstream 127.0.0.1:1 always;
    location / { return 200 "ok\n"; }
    location /health { proxy_pass http://127.0.0.1:$app_port; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for p in "$port" "$app_port"; do
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break
        sleep 0.1
    done
done

best() {  # best of 3 runs of DRIVER on PATH at CONCURRENCY: "req/s cpu-us-per-request"
    local driver=$1 path=$2 n=$3 c=$4 line rps cpu best_rps=0 best_cpu=
    for _ in 1 2 3; do
        line=$("$work/$driver" 127.0.0.1 "$port" "$path" "$n" "$c") || { echo "$driver failed: $line" >&2; exit 1; }
        read -r _ _ _ rps cpu <<<"$line"
        if [ "$rps" -gt "$best_rps" ]; then best_rps=$rps; fi
        if [ -z "$best_cpu" ] || awk "BEGIN{exit !($cpu < $best_cpu)}"; then best_cpu=$cpu; fi
    done
    echo "$best_rps $best_cpu"
}

printf '%-18s %12s %12s %14s %14s %8s %8s\n' "path, connections" "legacy req/s" "curl req/s" "legacy cpu us" "curl cpu us" "req/s x" "cpu x"
# The chat app is single-threaded Python: fewer requests there, or the run takes minutes.
for run in "/ 1 $requests" "/ 8 $requests" "/health 1 $((requests / 10))" "/health 8 $((requests / 10))"; do
    read -r path c n <<<"$run"
    read -r l_rps l_cpu <<<"$(best legacy_driver "$path" "$n" "$c")"
    read -r c_rps c_cpu <<<"$(best curl_driver "$path" "$n" "$c")"
    awk -v label="$path, $c" -v lr="$l_rps" -v cr="$c_rps" -v lc="$l_cpu" -v cc="$c_cpu" 'BEGIN {
        printf "%-18s %12d %12d %14.1f %14.1f %8.2f %8.2f\n", label, lr, cr, lc, cc, cr / lr, cc / lc }'
done
echo "(/: nginx answers itself, $requests GETs per run; /health: nginx -> chat app, $((requests / 10)) per run;"
echo " kept-alive connections; req/s x and cpu x = curl / legacy)"

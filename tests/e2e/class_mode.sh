#!/usr/bin/env bash
# Class mode end to end (issue 14), on libvirt LXC inside a network namespace this script
# creates and removes. The course lab tests/e2e/labs/class-course.toml has an app labctl
# provisions and an nginx left to the students (`provision = false`), 1 + 3 points of checks.
#   1. `class up --students 3`: three copies, each on its own subnet of [class] pool; the
#      nginx is reported as left for the student, its built-in checks as expected.
#   2. `class check`: each student has the app's point only (1 of 4), in the table, the CSV
#      and the JSON.
#   3. s02 installs the reference config (`labctl --student s02 render`) over
#      `labctl --student s02 ssh web -- sudo ...` and reloads nginx: s02 has 4 of 4, the
#      others still 1.
#   4. `class reset s02` takes s02 back to 1 of 4.
#   5. `class down` leaves none of the copies' domains, networks or pools, and keeps a
#      network that only looks like a copy's (not labctl's).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}

e2e_init
e2e_private_home "$labctl"
ns=labctl-e2e-class-$$
netns_up "$ns"
lab=$root/tests/e2e/labs/class-course.toml
lab_cmd() { in_ns "$ns" "$labctl" --no-color --connect "$E2E_URI_LXC" --driver lxc -f "$lab" "$@"; }

# Not labctl's, though named like a copy's: `class down` must leave it.
cat >"$E2E_TMP/decoy.xml" <<'XML'
<network><name>course-s99-lan</name><ip address='10.211.0.1' netmask='255.255.255.0'/></network>
XML
virsh -q -c "$E2E_URI_LXC" net-define "$E2E_TMP/decoy.xml" >/dev/null

# points STUDENT: the student's total in the gradebook JSON of `class check`.
gradebook() { lab_cmd class check --json -o "$E2E_TMP/gradebook.csv"; }
points_of() { jq -r --arg id "$1" '.students[] | select(.id == $id) | "\(.total)/\(.points_possible)"' "$E2E_TMP/book.json"; }
expect_points() {
    local got
    got=$(points_of "$1")
    [ "$got" = "$2" ] || e2e_die "$1 has $got points, expected $2: $(cat "$E2E_TMP/book.json")"
}

# 1. three copies at once.
started=$(e2e_now)
lab_cmd class up --students 3 --jobs 3 >"$E2E_TMP/class-up.out" 2>&1 ||
    e2e_die "class up failed: $(cat "$E2E_TMP/class-up.out")"
up_seconds=$(e2e_since "$started")
cat "$E2E_TMP/class-up.out" >&2
for id in s01 s02 s03; do
    grep -q "^$id | .*left .*lb on web .*provision = false: left for the student" "$E2E_TMP/class-up.out" ||
        e2e_die "class up did not report $id's nginx as left for the student"
done
grep -q "class course: 3 of 3 copies up and verified" "$E2E_TMP/class-up.out" || e2e_die "class up summary"
# Each copy on its own block of the pool, static offsets kept.
for k in 1 2 3; do
    id=s0$k
    addr=$(lab_cmd --student "$id" status --json | jq -r '.nodes[] | select(.name == "web") | .addresses.lan')
    [ "$addr" = "10.210.$((k - 1)).12" ] || e2e_die "$id's web is at $addr, not 10.210.$((k - 1)).12"
done
e2e_log "class up --students 3: ${up_seconds} s"

# The built-in checks of the nginx are expected, not required; the declared ones are graded.
rc=0
lab_cmd --student s01 verify --json >"$E2E_TMP/verify.json" || rc=$?
[ "$rc" = 1 ] || e2e_die "verify of an untouched copy exited $rc (the balancer's declared check must fail it)"
jq -e '[.checks[] | select(.required == false)] | length > 0 and all(.detail == "not provisioned (provision = false)")' \
    "$E2E_TMP/verify.json" >/dev/null || e2e_die "no expected-not-required check: $(cat "$E2E_TMP/verify.json")"
failing=$(jq -r '[.checks[] | select(.ok == false and .required != false) | .name] | join(",")' "$E2E_TMP/verify.json")
[ "$failing" = "the site answers through the balancer" ] || e2e_die "verify failed on more than the student's part: $failing"

# 2. every student has the app's point only.
started=$(e2e_now)
gradebook >"$E2E_TMP/book.json"
e2e_log "class check (3 copies): $(e2e_since "$started") s"
for id in s01 s02 s03; do expect_points "$id" 1/4; done
[ "$(sed -n 1p "$E2E_TMP/gradebook.csv" | tr -d '\r')" = "id,the site answers,the site answers through the balancer,total,possible,when,error" ] ||
    e2e_die "gradebook header: $(sed -n 1p "$E2E_TMP/gradebook.csv")"
grep -q "^s02,1,0,1,4,20" "$E2E_TMP/gradebook.csv" || e2e_die "gradebook row: $(cat "$E2E_TMP/gradebook.csv")"
lab_cmd class check >&2

# 3. s02 does the assignment with the reference solution.
ref=$E2E_TMP/ref
lab_cmd --student s02 render lb -o "$ref" >/dev/null
conf=$ref/web/etc/nginx/conf.d/balancer.conf
grep -q "10.210.1.11:8080" "$conf" || e2e_die "s02's reference config does not name s02's app: $(cat "$conf")"
lab_cmd --student s02 ssh web -- sudo tee /etc/nginx/conf.d/balancer.conf <"$conf" >/dev/null
lab_cmd --student s02 ssh web -- sudo nginx -t >&2
lab_cmd --student s02 ssh web -- sudo systemctl reload-or-restart nginx >&2
gradebook >"$E2E_TMP/book.json"
expect_points s02 4/4
expect_points s01 1/4
expect_points s03 1/4
lab_cmd --student s02 verify >&2 || e2e_die "verify of s02's finished copy failed"
e2e_log "s02 with the reference config: 4 of 4, the others 1 of 4"

# 4. reset takes s02 back to the start.
started=$(e2e_now)
lab_cmd class reset s02 >&2 || e2e_die "class reset s02 failed"
e2e_log "class reset s02: $(e2e_since "$started") s"
gradebook >"$E2E_TMP/book.json"
expect_points s02 1/4

# 5. class down leaves nothing of the copies, and the decoy.
started=$(e2e_now)
lab_cmd class down >&2
e2e_log "class down: $(e2e_since "$started") s"
left=$(e2e_leftovers "$ns" course-s0)
[ -z "$(echo "$left" | tr -d '[:space:]')" ] || e2e_die "class down left libvirt objects: $left"
virsh -q -c "$E2E_URI_LXC" net-info course-s99-lan >/dev/null || e2e_die "class down removed a network that is not labctl's"
[ "$(lab_cmd class down)" = "nothing to remove: class course has no students' copies" ] || e2e_die "second class down"
echo "e2e class mode: passed"

# Bash library of labctl's end-to-end tests: a network namespace with its own libvirtd.
#
#   . tests/e2e/lib.sh
#   e2e_init                 # temp dir + a trap that always tears everything down
#   netns_up NS              # namespace, cgroups, private libvirt state, virtlogd + libvirtd
#   in_ns NS CMD...          # run CMD in NS's network namespace (host mount namespace)
#   virsh_ns NS ARGS...      # virsh against NS's libvirtd (qemu:///system)
#   netns_down NS            # also run by the trap
#   e2e_on_cleanup 'CMD'     # extra teardown step, run after the namespaces are gone
#
# What netns_up does, and why (measured on our 2-core Debian 12 machines, see
# shared/notes/guests-on-this-machine.md):
# - `ip netns exec` gives each invocation a fresh mount namespace with /sys remounted for the
#   namespace, which hides the cgroup hierarchies. libvirt's LXC driver needs them, so the
#   same invocation that starts libvirtd mounts a tmpfs on /sys/fs/cgroup and every cgroup v1
#   hierarchy of the host (not the hybrid cgroup2 `unified` one); libvirtd keeps that mount
#   namespace alive.
# - libvirtd gets private /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/cache/libvirt and
#   /var/log/libvirt (bind mounts inside that mount namespace), so tests never see or touch
#   the host's libvirt objects and several namespaces can run side by side. Its socket lives
#   in the test's temp dir: clients anywhere use qemu:///system?socket=... (E2E_URI_QEMU,
#   E2E_URI_LXC; LIBVIRT_DEFAULT_URI is exported as the qemu one).
# - Anything that talks to guest addresses (ssh, curl, labctl) runs in the network namespace
#   but the host mount namespace: `nsenter --net=/var/run/netns/NS CMD` (in_ns). Mounts made
#   there (labctl's lxc overlays) reach libvirtd only through mount propagation: when the
#   directory holding them (E2E_SHARED_DIRS, default $LABCTL_HOME) is not on a shared mount
#   (on these machines / is private), netns_up bind-mounts it onto itself and makes it
#   shared before starting libvirtd, whose namespace then receives those mounts as a slave.
# - Teardown kills only the processes it started, by pid, after destroying every domain and
#   network of the private libvirtd; then it deletes the namespace and undoes its mounts.
#
# Needs root and the packages in scripts/packages/image.txt.

E2E_TMP=${E2E_TMP:-}
E2E_LIBVIRT_CACHE=${E2E_LIBVIRT_CACHE:-/var/cache/labctl-e2e/libvirt}
E2E_NAMESPACES=()
E2E_SHARED_MOUNTS=()
E2E_CLEANUPS=()

e2e_log() { printf '%s [e2e] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
e2e_die() {
    e2e_log "FAIL: $*"
    exit 1
}

# Monotonic seconds with millisecond precision.
e2e_now() { awk '{print $1}' /proc/uptime; }
e2e_since() { awk -v a="$1" -v b="$(e2e_now)" 'BEGIN {printf "%.1f", b - a}'; }

e2e_init() {
    [ "$(id -u)" = 0 ] || e2e_die "needs root (network namespaces, libvirtd, mounts)"
    for tool in ip nsenter libvirtd virtlogd virsh mount; do
        command -v "$tool" >/dev/null || e2e_die "$tool missing: run scripts/setup.sh"
    done
    E2E_TMP=$(mktemp -d /tmp/labctl-e2e.XXXXXX)
    export E2E_TMP
    chmod 0755 "$E2E_TMP"
    trap e2e_cleanup EXIT
    trap 'exit 130' INT TERM
}

e2e_cleanup() {
    local rc=$?
    local ns
    trap - EXIT INT TERM
    for ((i = ${#E2E_NAMESPACES[@]} - 1; i >= 0; i--)); do
        ns=${E2E_NAMESPACES[i]}
        [ -n "$ns" ] && netns_down "$ns"
    done
    # The test's own undo steps (unmount overlays, ...), once no domain uses them.
    for ((i = ${#E2E_CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${E2E_CLEANUPS[i]}" || true; done
    for ((i = ${#E2E_SHARED_MOUNTS[@]} - 1; i >= 0; i--)); do
        # Lazy: detaches our bind (and its copies of older submounts) and leaves the
        # original mounts below it in place. Caveat: a mount made below DIR by someone else
        # while the namespace was up lives on our bind and goes with it, so give e2e runs
        # their own LABCTL_HOME when other labs run on the same machine.
        umount -l "${E2E_SHARED_MOUNTS[i]}" 2>/dev/null || true
    done
    E2E_SHARED_MOUNTS=()
    [ -n "$E2E_TMP" ] && rm -rf "$E2E_TMP"
    exit "$rc"
}

# Builds (or reuses) the base image in the machine's image cache ($LABCTL_IMAGES, default
# /var/lib/labctl/images), then exports a private LABCTL_HOME for the labs, linked to that
# cache: a test never sees (or leaves) another lab's state. Overlays a failed run left
# mounted there are unmounted at teardown, before the temp dir goes.
e2e_private_home() {
    local labctl=$1 images=${LABCTL_IMAGES:-/var/lib/labctl/images}
    LABCTL_HOME=$images/.. "$labctl" image build >&2  # a no-op when the image is current
    export LABCTL_HOME=$E2E_TMP/home
    mkdir -p "$LABCTL_HOME"
    ln -s "$(cd "$images" && pwd)" "$LABCTL_HOME/images"
    e2e_on_cleanup 'findmnt -rn -o TARGET | grep "^$LABCTL_HOME/labs/" | sort -r | xargs -r -n1 umount -l'
}

# Registers a shell command run at teardown after the namespaces are gone (last in, first run).
e2e_on_cleanup() { E2E_CLEANUPS+=("$1"); }

e2e_state() { echo "$E2E_TMP/ns-$1"; }
e2e_uri() { echo "$1:///system?socket=$(e2e_state "$2")/sock/libvirt-sock"; }

# Makes DIR receive propagation into mount namespaces created afterwards: a shared bind
# mount of DIR onto itself, unless DIR already sits on a shared mount.
e2e_make_shared() {
    local dir=$1
    mkdir -p "$dir"
    if findmnt -n -o PROPAGATION --target "$dir" | grep -q shared; then return 0; fi
    # --rbind keeps mounts that already exist below DIR (another lab's overlays) visible.
    mount --rbind "$dir" "$dir"
    mount --make-shared "$dir"
    E2E_SHARED_MOUNTS+=("$dir")
}

netns_up() {
    local ns=$1 state
    state=$(e2e_state "$ns")
    [ -z "$(ip netns list | awk -v n="$ns" '$1 == n')" ] || e2e_die "namespace $ns exists already"
    ip netns add "$ns"
    E2E_NAMESPACES+=("$ns")
    # Every LXC guest's systemd and every libvirtd holds inotify instances, counted per user
    # (root) across the machine; Debian's default of 128 runs out when e2e suites run side
    # by side (`ctest -j`): systemd in a new guest then fails to start. Raised, never lowered.
    if [ "$(cat /proc/sys/fs/inotify/max_user_instances)" -lt 1024 ]; then
        sysctl -qw fs.inotify.max_user_instances=1024
    fi
    ip netns exec "$ns" ip link set lo up

    local dirs=${E2E_SHARED_DIRS:-${LABCTL_HOME:-/var/lib/labctl}}
    for dir in $dirs; do e2e_make_shared "$dir"; done

    mkdir -p "$state/sock" "$state/run" "$state/lib" "$state/cache" "$state/log" "$state/etc"
    cp -a /etc/libvirt/. "$state/etc/"
    # No "default" 192.168.122.0/24 network: tests create exactly the networks they need.
    rm -f "$state/etc/qemu/networks/autostart/default.xml"
    printf 'unix_sock_dir = "%s"\n' "$state/sock" >>"$state/etc/libvirtd.conf"
    # /dev/kvm on these machines is 0600 root (and unusable): with qemu running as
    # libvirt-qemu, libvirt 9.0 records KVM's ctime as 0 and then finds "/dev/kvm has changed"
    # on every lookup, re-probing qemu ~15 times (64 s) per domain start. As root it sees
    # the same /dev/kvm every time. Set E2E_QEMU_USER= to keep Debian's default.
    if [ -n "${E2E_QEMU_USER-root}" ]; then
        printf 'user = "%s"\ngroup = "%s"\n' "${E2E_QEMU_USER-root}" "${E2E_QEMU_USER-root}" >>"$state/etc/qemu.conf"
    fi
    if [ -n "${E2E_LIBVIRT_DEBUG:-}" ]; then
        printf 'log_filters = "1:qemu 1:security 1:util.command 3:*"\nlog_outputs = "1:file:/var/log/libvirt/debug.log"\n' \
            >>"$state/etc/libvirtd.conf"
    fi
    cp -a /var/lib/libvirt/. "$state/lib/" 2>/dev/null || true
    # libvirt's qemu capability cache, kept between runs (E2E_LIBVIRT_CACHE): a fresh
    # libvirtd probes qemu for about a minute on its first domain start on these machines.
    if [ -d "$E2E_LIBVIRT_CACHE" ]; then
        cp -a "$E2E_LIBVIRT_CACHE/." "$state/cache/"
    else
        cp -a /var/cache/libvirt/. "$state/cache/" 2>/dev/null || true
    fi

    local started
    started=$(e2e_now)
    # One invocation: the cgroup mounts and the bind mounts exist only in this mount
    # namespace, which the daemons keep alive.
    ip netns exec "$ns" sh -eu -c '
        state=$1
        mount -t tmpfs -o mode=755 labctl-cgroup /sys/fs/cgroup
        awk '\''$3 == "cgroup" {print $2, $4}'\'' /proc/1/mounts | while read -r dir opts; do
            mkdir -p "$dir"
            mount -t cgroup -o "$opts" cgroup "$dir"
        done
        mount --bind "$state/etc" /etc/libvirt
        mkdir -p /run/libvirt
        mount --bind "$state/run" /run/libvirt
        mount --bind "$state/lib" /var/lib/libvirt
        mount --bind "$state/cache" /var/cache/libvirt
        mkdir -p /var/log/libvirt
        mount --bind "$state/log" /var/log/libvirt
        virtlogd -d -p "$state/virtlogd.pid"
        libvirtd -d -p "$state/libvirtd.pid"
    ' labctl-netns-up "$state"

    export E2E_URI_QEMU E2E_URI_LXC
    E2E_URI_QEMU=$(e2e_uri qemu "$ns")
    E2E_URI_LXC=$(e2e_uri lxc "$ns")
    export LIBVIRT_DEFAULT_URI=$E2E_URI_QEMU
    # Ready when it answers; the first call probes qemu's capabilities.
    local delay=0.05
    until virsh -q -c "$E2E_URI_QEMU" version >/dev/null 2>&1; do
        [ "$(awk -v s="$started" -v n="$(e2e_now)" 'BEGIN {print (n - s > 60)}')" = 1 ] &&
            e2e_die "libvirtd in $ns did not answer within 60 s (log: $state/log)"
        sleep "$delay"
        delay=$(awk -v d="$delay" 'BEGIN {d *= 2; print (d > 1 ? 1 : d)}')
    done
    e2e_log "namespace $ns: libvirtd ready in $(e2e_since "$started") s (uri $E2E_URI_QEMU)"
}

in_ns() {
    local ns=$1
    shift
    nsenter --net="/var/run/netns/$ns" -- "$@"
}

virsh_ns() {
    local ns=$1
    shift
    virsh -q -c "$(e2e_uri qemu "$ns")" "$@"
}

# The libvirt objects in NS whose names start with PREFIX (domains of both drivers, networks,
# pools): what `down` must leave none of.
e2e_leftovers() {
    local ns=$1 prefix=$2
    { virsh_ns "$ns" list --all --name; virsh -q -c "$(e2e_uri lxc "$ns")" list --all --name
      virsh_ns "$ns" net-list --all --name; virsh_ns "$ns" pool-list --all --name; } | grep "^$prefix" || true
}

e2e_kill_pidfile() {
    local pidfile=$1 pid
    [ -s "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}

# What `labctl down` does for the LXC nodes it removes (engine/lxc_cgroups), for the domains
# an interrupted test leaves to the teardown: their empty cgroup trees, rmdir only.
e2e_remove_container_cgroups() {
    local dom=$1 tree
    for tree in /sys/fs/cgroup/*/machine/lxc-*-"$dom".libvirt-lxc; do
        [ -d "$tree" ] && find "$tree" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    return 0
}

netns_down() {
    local ns=$1 state uri name
    state=$(e2e_state "$ns")
    if [ -s "$state/libvirtd.pid" ] && kill -0 "$(cat "$state/libvirtd.pid")" 2>/dev/null; then
        # Everything this private libvirtd knows was created by the test.
        for driver in qemu lxc; do
            uri=$(e2e_uri "$driver" "$ns")
            for name in $(virsh -q -c "$uri" list --name 2>/dev/null); do
                virsh -q -c "$uri" destroy "$name" >/dev/null 2>&1 || true
                e2e_remove_container_cgroups "$name"
            done
            for name in $(virsh -q -c "$uri" list --all --name 2>/dev/null); do
                virsh -q -c "$uri" undefine --nvram "$name" >/dev/null 2>&1 ||
                    virsh -q -c "$uri" undefine "$name" >/dev/null 2>&1 || true
            done
        done
        uri=$(e2e_uri qemu "$ns")
        for name in $(virsh -q -c "$uri" net-list --all --name 2>/dev/null); do
            virsh -q -c "$uri" net-destroy "$name" >/dev/null 2>&1 || true
            virsh -q -c "$uri" net-undefine "$name" >/dev/null 2>&1 || true
        done
    fi
    e2e_kill_pidfile "$state/libvirtd.pid"
    e2e_kill_pidfile "$state/virtlogd.pid"
    if [ -d "$state/cache/qemu" ]; then
        mkdir -p "$E2E_LIBVIRT_CACHE"
        cp -a "$state/cache/." "$E2E_LIBVIRT_CACHE/" 2>/dev/null || true
    fi
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then ip netns delete "$ns"; fi
    local kept=()
    for n in "${E2E_NAMESPACES[@]}"; do [ "$n" != "$ns" ] && kept+=("$n"); done
    E2E_NAMESPACES=("${kept[@]}")
    e2e_log "namespace $ns: torn down"
}

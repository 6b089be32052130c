#!/bin/sh
# PID 1 of a labctl node on the lxc driver (written into the node's overlay by `labctl up`):
# gives the container a systemd cgroup of its own, then becomes systemd.
#
# Why: on a host with cgroup v1 hierarchies and no systemd/machined, libvirt's LXC driver puts
# each container in a cgroup of its own in the resource controllers (cpu:/machine/lxc-PID-NAME
# .libvirt-lxc) but not in the name=systemd hierarchy, where every container shares one cgroup
# and sees the host's whole tree. Each container's systemd then treats that shared tree as its
# own: measured with 9 nodes, restarting ssh.service in one container killed sshd in the
# others (a node never answered SSH), and trimming "its" empty cgroups removed the cgroup of a
# container being started ("Failure in libvirt_lxc startup: Unable to write to
# '/sys/fs/cgroup/blkio/machine/lxc-...libvirt-lxc/tasks'"). Moving into the name=systemd
# cgroup that mirrors the container's own cpu cgroup makes systemd manage only its subtree.
# Where libvirt already isolates the container (cgroup v2, machined), this only runs systemd.
own=
shared=
while IFS=: read -r _ controllers path; do
    case "$controllers" in
        cpu | cpu,cpuacct | cpuacct,cpu) own=$path ;;
        name=systemd) shared=$path ;;
    esac
done </proc/self/cgroup
case "$own" in
    /machine/*.libvirt-lxc)
        if [ -n "$shared" ] && [ "$shared" != "$own" ] && [ -d /sys/fs/cgroup/systemd ]; then
            mkdir -p "/sys/fs/cgroup/systemd$own" &&
                echo $$ >"/sys/fs/cgroup/systemd$own/cgroup.procs" ||
                echo "labctl-lxc-init: cannot move into /sys/fs/cgroup/systemd$own" >&2
        fi
        ;;
esac
exec /sbin/init "$@"

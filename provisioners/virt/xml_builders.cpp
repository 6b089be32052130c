#include "virt/xml_builders.hpp"

#include "util/xml_writer.hpp"

namespace labctl::virt {

std::string to_string(DomainKind kind) {
    switch (kind) {
        case DomainKind::qemu:
            return "qemu";
        case DomainKind::kvm:
            return "kvm";
        case DomainKind::lxc:
            return "lxc";
    }
    return "qemu";
}

std::string network_xml(const NetworkSpec& spec) {
    util::XmlWriter xml;
    xml.open("network").element("name", spec.name);
    write_tag(xml, spec.tag);
    // nat: libvirt's NAT to the host's uplink. host-only: no <forward> at all, which libvirt
    // calls an isolated network (guests and host only).
    if (spec.mode == topo::NetworkMode::nat && !spec.bridge_only)
        xml.open("forward").attr("mode", "nat").close();
    // No <bridge name=...>: libvirt picks a free virbrN (always within IFNAMSIZ).
    if (spec.mtu > 0) xml.open("mtu").attr("size", std::to_string(spec.mtu)).close();
    if (spec.bridge_only) {
        xml.close();
        return xml.str();
    }
    xml.open("ip")
        .attr("address", spec.subnet.gateway().str())
        .attr("netmask", spec.subnet.netmask_str());
    xml.open("dhcp");
    xml.open("range")
        .attr("start", util::Ipv4{spec.subnet.gateway().value + 1}.str())
        .attr("end", spec.subnet.last_host().str())
        .close();
    for (const auto& host : spec.hosts)
        xml.open("host").attr("mac", host.mac).attr("name", host.name).attr("ip", host.ip).close();
    xml.close().close().close();
    return xml.str();
}

std::string pool_xml(const PoolSpec& spec) {
    util::XmlWriter xml;
    xml.open("pool").attr("type", "dir").element("name", spec.name);
    xml.open("target").element("path", spec.path.string()).close();
    xml.close();
    return xml.str();
}

std::string snapshot_xml(const SnapshotSpec& spec) {
    util::XmlWriter xml;
    xml.open("domainsnapshot").element("name", spec.name);
    xml.element("description", spec.description);
    xml.open("memory").attr("snapshot", spec.memory ? "internal" : "no").close();
    xml.open("disks");
    for (const auto& target : spec.internal_disks)
        xml.open("disk").attr("name", target).attr("snapshot", "internal").close();
    for (const auto& target : spec.skipped_disks)
        xml.open("disk").attr("name", target).attr("snapshot", "no").close();
    xml.close().close();
    return xml.str();
}

std::string volume_xml(const VolumeSpec& spec) {
    util::XmlWriter xml;
    xml.open("volume").element("name", spec.name);
    xml.open("capacity").attr("unit", "bytes").text(std::to_string(spec.capacity_bytes)).close();
    // Nothing allocated up front: an upload writes the bytes (libvirt would write zeros first).
    if (spec.backing.empty()) xml.open("allocation").attr("unit", "bytes").text("0").close();
    xml.open("target").open("format").attr("type", spec.format).close().close();
    // A linked clone: the new qcow2 only holds the node's own writes.
    if (!spec.backing.empty()) {
        xml.open("backingStore").element("path", spec.backing.string());
        xml.open("format").attr("type", spec.backing_format).close().close();
    }
    xml.close();
    return xml.str();
}

namespace {

void write_vm(util::XmlWriter& xml, const DomainSpec& spec) {
    xml.open("os");
    xml.open("type").attr("arch", "x86_64").text("hvm").close();
    bool from_disk = spec.kernel.empty();
    if (from_disk) {
        // A cloud image: the BIOS boots the disk's own bootloader, which brings its kernel.
        xml.open("boot").attr("dev", "hd").close();
    } else {
        xml.element("kernel", spec.kernel.string());
        xml.element("initrd", spec.initrd.string());
        xml.element("cmdline", "root=/dev/vda rw console=ttyS0");
    }
    xml.close();
    if (from_disk || spec.kind == DomainKind::qemu) {
        xml.open("features");
        // Generic images expect ACPI (power button, shutdown) and an APIC.
        if (from_disk) xml.open("acpi").close().open("apic").close();
        // TCG: a 128 MiB translation cache instead of the default (guest RAM sized) halves
        // each guest's RSS (measured ~440 MiB instead of ~800 MiB for a 512 MiB guest).
        // Accepted by libvirt 9.0 (Debian 12).
        if (spec.kind == DomainKind::qemu) {
            xml.open("tcg").open("tb-cache").attr("unit", "MiB").text("128");
            xml.close().close();
        }
        xml.close();
    }
    xml.open("devices");
    xml.open("disk").attr("type", "file").attr("device", "disk");
    xml.open("driver").attr("name", "qemu").attr("type", "qcow2").close();
    xml.open("source").attr("file", spec.disk.string()).close();
    xml.open("target").attr("dev", "vda").attr("bus", "virtio").close();
    xml.close();
    if (!spec.seed_disk.empty()) {
        xml.open("disk").attr("type", "file").attr("device", "disk");
        xml.open("driver").attr("name", "qemu").attr("type", "raw").close();
        xml.open("source").attr("file", spec.seed_disk.string()).close();
        xml.open("target").attr("dev", "vdb").attr("bus", "virtio").close();
        xml.open("readonly").close();
        xml.close();
    }
    for (const auto& nic : spec.nics) {
        xml.open("interface").attr("type", "network");
        xml.open("mac").attr("address", nic.mac).close();
        xml.open("source").attr("network", nic.network).close();
        xml.open("model").attr("type", "virtio").close();
        xml.close();
    }
    // The serial console goes to a file in the lab's state dir: the first thing to read
    // when a guest never answers SSH.
    xml.open("serial").attr("type", "file");
    xml.open("source").attr("path", spec.console_log.string()).close();
    xml.open("target").attr("port", "0").close();
    xml.close();
    xml.open("console").attr("type", "file");
    xml.open("source").attr("path", spec.console_log.string()).close();
    xml.open("target").attr("type", "serial").attr("port", "0").close();
    xml.close();
    // Guests generate little entropy under TCG; sshd and systemd wait for it otherwise.
    xml.open("rng")
        .attr("model", "virtio")
        .open("backend")
        .attr("model", "random")
        .text("/dev/urandom");
    xml.close().close();
    xml.close();  // devices
    if (!spec.run_as.empty()) {
        // relabel='no': libvirt must not chown the shared base image (used by every clone of
        // every lab) back and forth as guests start and stop.
        xml.open("seclabel").attr("type", "static").attr("model", "dac").attr("relabel", "no");
        xml.element("label", spec.run_as).close();
    }
}

void write_container(util::XmlWriter& xml, const DomainSpec& spec) {
    xml.open("os").element("type", "exe").element("init", spec.init).close();
    if (spec.mknod) {
        xml.open("features").open("capabilities").attr("policy", "default");
        xml.open("mknod").attr("state", "on").close();
        xml.close().close();
    }
    xml.open("devices");
    auto mount = [&](const std::filesystem::path& source, const std::string& target) {
        xml.open("filesystem").attr("type", "mount").attr("accessmode", "passthrough");
        xml.open("source").attr("dir", source.string()).close();
        xml.open("target").attr("dir", target).close();
        xml.close();
    };
    mount(spec.root_dir, "/");
    for (const auto& dir : spec.host_dirs) mount(dir.source, dir.target);
    for (const auto& nic : spec.nics) {
        xml.open("interface").attr("type", "network");
        xml.open("mac").attr("address", nic.mac).close();
        xml.open("source").attr("network", nic.network).close();
        xml.close();
    }
    // libvirt's LXC driver only offers pty consoles.
    xml.open("console").attr("type", "pty").close();
    xml.close();
}

}  // namespace

std::string domain_xml(const DomainSpec& spec) {
    util::XmlWriter xml;
    xml.open("domain").attr("type", to_string(spec.kind));
    xml.element("name", spec.name);
    write_tag(xml, spec.tag);
    xml.open("memory").attr("unit", "MiB").text(std::to_string(spec.memory_mib)).close();
    xml.element("vcpu", std::to_string(spec.vcpus));
    if (spec.kind == DomainKind::lxc)
        write_container(xml, spec);
    else
        write_vm(xml, spec);
    xml.close();
    return xml.str();
}

}  // namespace labctl::virt

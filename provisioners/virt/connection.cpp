#include "virt/connection.hpp"

#include <fcntl.h>
#include <libvirt/virterror.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <cstdlib>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/interrupt.hpp"
#include "util/xml_writer.hpp"
#include "virt/virt_error.hpp"
#include "virt/xml_query.hpp"

namespace labctl::virt {

std::string to_string(DomainState state) {
    switch (state) {
        case DomainState::absent:
            return "absent";
        case DomainState::running:
            return "running";
        case DomainState::paused:
            return "paused";
        case DomainState::shut_off:
            return "shut off";
        case DomainState::crashed:
            return "crashed";
        case DomainState::other:
            return "other";
    }
    return "other";
}

namespace {
std::string take(char* text) {
    CharPtr owned(text);
    return owned ? std::string(owned.get()) : std::string();
}
// A lookup that failed because the object does not exist is an answer, not an error.
bool is_no_such_object() {
    int code = last_error_code();
    return code == VIR_ERR_NO_DOMAIN || code == VIR_ERR_NO_NETWORK ||
           code == VIR_ERR_NO_STORAGE_POOL || code == VIR_ERR_NO_STORAGE_VOL;
}
}  // namespace

Connection::Connection(const std::string& uri) : uri_(uri) {
    silence_libvirt_errors();
    conn_.reset(virConnectOpen(uri.c_str()));
    if (!conn_) throw_last_error("cannot connect to libvirt at " + uri, {}, "connect");
}

bool Connection::kvm_usable() const {
    CharPtr caps(
        virConnectGetDomainCapabilities(conn_.get(), nullptr, "x86_64", nullptr, "kvm", 0));
    if (!caps) {
        virResetLastError();
        return false;
    }
    return XmlDoc(caps.get()).value("/domainCapabilities/domain") == "kvm";
}

std::optional<unsigned long long> Connection::free_memory_bytes() const {
    unsigned long long free = virNodeGetFreeMemory(conn_.get());
    if (free == 0) {
        virResetLastError();
        return std::nullopt;
    }
    return free;
}

std::string Connection::bridge_of(virNetworkPtr network) {
    return XmlDoc(xml_of(network)).value("/network/bridge/@name");
}

std::vector<DomainPtr> Connection::domains() const {
    virDomainPtr* list = nullptr;
    int n = virConnectListAllDomains(conn_.get(), &list, 0);
    if (n < 0) throw_last_error("cannot list domains", {}, "inventory");
    std::vector<DomainPtr> out;
    for (int i = 0; i < n; ++i) out.emplace_back(list[i]);
    std::free(list);
    return out;
}

std::vector<NetworkPtr> Connection::networks() const {
    virNetworkPtr* list = nullptr;
    int n = virConnectListAllNetworks(conn_.get(), &list, 0);
    if (n < 0) throw_last_error("cannot list networks", {}, "inventory");
    std::vector<NetworkPtr> out;
    for (int i = 0; i < n; ++i) out.emplace_back(list[i]);
    std::free(list);
    return out;
}

DomainPtr Connection::domain(const std::string& name) const {
    DomainPtr d(virDomainLookupByName(conn_.get(), name.c_str()));
    if (!d && !is_no_such_object())
        throw_last_error("cannot look up domain " + name, {}, "inventory");
    virResetLastError();
    return d;
}

NetworkPtr Connection::network(const std::string& name) const {
    NetworkPtr n(virNetworkLookupByName(conn_.get(), name.c_str()));
    if (!n && !is_no_such_object())
        throw_last_error("cannot look up network " + name, {}, "inventory");
    virResetLastError();
    return n;
}

PoolPtr Connection::pool(const std::string& name) const {
    PoolPtr p(virStoragePoolLookupByName(conn_.get(), name.c_str()));
    if (!p && !is_no_such_object())
        throw_last_error("cannot look up storage pool " + name, {}, "inventory");
    virResetLastError();
    return p;
}

VolumePtr Connection::volume(virStoragePoolPtr pool, const std::string& name) const {
    VolumePtr v(virStorageVolLookupByName(pool, name.c_str()));
    if (!v && !is_no_such_object())
        throw_last_error("cannot look up volume " + name, {}, "inventory");
    virResetLastError();
    return v;
}

std::string Connection::xml_of(virDomainPtr domain) {
    char* xml = virDomainGetXMLDesc(domain, 0);
    if (!xml) throw_last_error("cannot read domain XML", {}, "inventory");
    return take(xml);
}
std::string Connection::xml_of(virNetworkPtr network) {
    char* xml = virNetworkGetXMLDesc(network, 0);
    if (!xml) throw_last_error("cannot read network XML", {}, "inventory");
    return take(xml);
}
std::vector<std::string> Connection::volume_names(virStoragePoolPtr pool) const {
    virStorageVolPtr* list = nullptr;
    int n = virStoragePoolListAllVolumes(pool, &list, 0);
    if (n < 0) throw_last_error("cannot list volumes", {}, "inventory");
    std::vector<VolumePtr> volumes;
    for (int i = 0; i < n; ++i) volumes.emplace_back(list[i]);
    std::free(list);
    std::vector<std::string> names;
    for (const auto& volume : volumes)
        if (const char* name = virStorageVolGetName(volume.get())) names.emplace_back(name);
    std::sort(names.begin(), names.end());
    return names;
}

std::string Connection::xml_of(virStoragePoolPtr pool) {
    char* xml = virStoragePoolGetXMLDesc(pool, 0);
    if (!xml) throw_last_error("cannot read storage pool XML", {}, "inventory");
    return take(xml);
}
std::optional<std::string> Connection::xml_if_exists(virDomainPtr domain) {
    char* xml = virDomainGetXMLDesc(domain, 0);
    if (!xml && is_no_such_object()) return std::nullopt;
    if (!xml) throw_last_error("cannot read domain XML", {}, "inventory");
    return take(xml);
}
std::optional<std::string> Connection::xml_if_exists(virNetworkPtr network) {
    char* xml = virNetworkGetXMLDesc(network, 0);
    if (!xml && is_no_such_object()) return std::nullopt;
    if (!xml) throw_last_error("cannot read network XML", {}, "inventory");
    return take(xml);
}
std::string Connection::name_of(virDomainPtr domain) {
    const char* name = virDomainGetName(domain);
    return name ? name : "";
}
std::string Connection::name_of(virNetworkPtr network) {
    const char* name = virNetworkGetName(network);
    return name ? name : "";
}

DomainState Connection::state_of(virDomainPtr domain) {
    // Read before the call: every libvirt API call resets the thread's last error.
    std::string name = name_of(domain);
    int state = 0, reason = 0;
    if (virDomainGetState(domain, &state, &reason, 0) < 0)
        throw_last_error("cannot read domain state", name, "status");
    switch (state) {
        case VIR_DOMAIN_RUNNING:
            return DomainState::running;
        case VIR_DOMAIN_PAUSED:
            return DomainState::paused;
        case VIR_DOMAIN_SHUTOFF:
            return DomainState::shut_off;
        case VIR_DOMAIN_CRASHED:
            return DomainState::crashed;
        default:
            return DomainState::other;
    }
}

bool Connection::is_active(virNetworkPtr network) {
    // Read before the call: every libvirt API call resets the thread's last error.
    std::string name = name_of(network);
    int active = virNetworkIsActive(network);
    if (active < 0) throw_last_error("cannot read network state " + name, {}, "inventory");
    return active == 1;
}

bool Connection::is_active(virStoragePoolPtr pool) {
    int active = virStoragePoolIsActive(pool);
    if (active < 0) throw_last_error("cannot read storage pool state", {}, "inventory");
    return active == 1;
}

NetworkPtr Connection::define_network(const std::string& xml, const std::string& step) {
    ++mutations_;
    NetworkPtr n(virNetworkDefineXML(conn_.get(), xml.c_str()));
    if (!n) throw_last_error("cannot define network", {}, step);
    return n;
}

void Connection::start_network(virNetworkPtr network, const std::string& step) {
    // Read before the call: every libvirt API call resets the thread's last error.
    std::string name = name_of(network);
    ++mutations_;
    if (virNetworkCreate(network) < 0) throw_last_error("cannot start network " + name, {}, step);
}

void Connection::remove_network(virNetworkPtr network, const std::string& step) {
    std::string name = name_of(network);
    if (is_active(network)) {
        ++mutations_;
        if (virNetworkDestroy(network) < 0)
            throw_last_error("cannot stop network " + name, {}, step);
    }
    ++mutations_;
    if (virNetworkUndefine(network) < 0)
        throw_last_error("cannot undefine network " + name, {}, step);
}

PoolPtr Connection::define_pool(const std::string& xml, const std::string& step) {
    ++mutations_;
    PoolPtr p(virStoragePoolDefineXML(conn_.get(), xml.c_str(), 0));
    if (!p) throw_last_error("cannot define storage pool", {}, step);
    return p;
}

void Connection::start_pool(virStoragePoolPtr pool, const std::string& step) {
    ++mutations_;
    if (virStoragePoolCreate(pool, 0) < 0) throw_last_error("cannot start storage pool", {}, step);
}

void Connection::remove_pool(virStoragePoolPtr pool, const std::string& step) {
    if (is_active(pool)) {
        virStorageVolPtr* list = nullptr;
        int n = virStoragePoolListAllVolumes(pool, &list, 0);
        if (n < 0) throw_last_error("cannot list volumes", {}, step);
        std::vector<VolumePtr> volumes;
        for (int i = 0; i < n; ++i) volumes.emplace_back(list[i]);
        std::free(list);
        for (auto& volume : volumes) {
            ++mutations_;
            if (virStorageVolDelete(volume.get(), 0) < 0)
                throw_last_error("cannot delete volume", {}, step);
        }
        ++mutations_;
        if (virStoragePoolDestroy(pool) < 0) throw_last_error("cannot stop storage pool", {}, step);
    }
    ++mutations_;
    if (virStoragePoolUndefine(pool) < 0)
        throw_last_error("cannot undefine storage pool", {}, step);
}

void Connection::build_pool(virStoragePoolPtr pool, const std::string& step) {
    ++mutations_;
    if (virStoragePoolBuild(pool, 0) < 0)
        throw_last_error("cannot build storage pool (make its directory)", {}, step);
}

VolumePtr Connection::create_volume(virStoragePoolPtr pool, const std::string& xml,
                                    const std::string& node, const std::string& step) {
    ++mutations_;
    VolumePtr v(virStorageVolCreateXML(pool, xml.c_str(), 0));
    if (!v)
        throw_last_error(
            step == "clone" ? "cannot create the linked clone" : "cannot create volume", node,
            step);
    return v;
}

void Connection::delete_volume(virStorageVolPtr volume, const std::string& node,
                               const std::string& step) {
    ++mutations_;
    if (virStorageVolDelete(volume, 0) < 0) throw_last_error("cannot delete volume", node, step);
}

namespace {
// virStreamSendAll's source: the next chunk of the file; -1 (the stream is aborted) on a
// read error or once labctl is interrupted.
int read_chunk(virStreamPtr, char* data, size_t bytes, void* opaque) {
    if (util::interrupt_count() > 0) return -1;
    auto n = ::read(*static_cast<int*>(opaque), data, bytes);
    return n < 0 ? -1 : static_cast<int>(n);
}
}  // namespace

void Connection::upload_volume(virStorageVolPtr volume, const std::filesystem::path& file,
                               const std::string& node, const std::string& step) {
    util::Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0)
        throw InfraError("cannot read " + file.string(), node, step);
    ++mutations_;
    StreamPtr stream(virStreamNew(conn_.get(), 0));
    if (!stream) throw_last_error("cannot open a stream for " + file.string(), node, step);
    if (virStorageVolUpload(volume, stream.get(), 0, static_cast<unsigned long long>(st.st_size),
                            0) < 0)
        throw_last_error("cannot upload " + file.string(), node, step);
    int source = fd.get();
    // On failure virStreamSendAll has aborted the stream already: freeing it is all that is left.
    if (virStreamSendAll(stream.get(), read_chunk, &source) < 0) {
        util::interrupt_point("upload " + file.string());
        throw_last_error("upload of " + file.string() + " failed", node, step);
    }
    if (virStreamFinish(stream.get()) < 0)
        throw_last_error("upload of " + file.string() + " did not complete", node, step);
}

DomainPtr Connection::define_domain(const std::string& xml, const std::string& node) {
    ++mutations_;
    DomainPtr d(virDomainDefineXML(conn_.get(), xml.c_str()));
    if (!d) throw_last_error("cannot define domain", node, "define");
    return d;
}

void Connection::start_domain(virDomainPtr domain, const std::string& node) {
    // Read before the call: every libvirt API call resets the thread's last error.
    std::string name = name_of(domain);
    ++mutations_;
    if (virDomainCreate(domain) < 0) throw_last_error("cannot start domain " + name, node, "start");
}

void Connection::power_off_domain(virDomainPtr domain, const std::string& node) {
    std::string name = name_of(domain);
    ++mutations_;
    if (virDomainDestroy(domain) < 0)
        throw_last_error("cannot power off domain " + name, node, "poweroff");
}

void Connection::shutdown_domain(virDomainPtr domain, const std::string& node) {
    std::string name = name_of(domain);
    ++mutations_;
    if (virDomainShutdown(domain) < 0)
        throw_last_error("cannot shut down domain " + name, node, "stop");
}

void Connection::set_link_state(virDomainPtr domain, const std::string& mac, bool up,
                                const std::string& node, const HostCommand& on_host) {
    std::string name = name_of(domain);
    XmlDoc live(xml_of(domain));
    std::string network =
        live.value("/domain/devices/interface[mac/@address='" + mac + "']/source/@network");
    if (network.empty())
        throw InfraError("domain " + name + " has no NIC with MAC " + mac, node, "link state");
    // libvirt finds the device by its MAC and changes only the link state.
    util::XmlWriter xml;
    xml.open("interface").attr("type", "network");
    xml.open("mac").attr("address", mac).close();
    xml.open("source").attr("network", network).close();
    xml.open("link").attr("state", up ? "up" : "down").close();
    xml.close();
    ++mutations_;
    if (virDomainUpdateDeviceFlags(domain, xml.str().c_str(), VIR_DOMAIN_AFFECT_LIVE) == 0) return;
    // The LXC driver cannot modify live devices: set the host side of the NIC (its veth peer
    // or tap, which libvirt names in <target dev>) instead; the guest sees its carrier drop.
    virErrorPtr error = virGetLastError();
    std::string reason = error && error->message ? error->message : "unknown error";
    std::string dev =
        live.value("/domain/devices/interface[mac/@address='" + mac + "']/target/@dev");
    if (dev.empty())
        throw InfraError("cannot set the link of " + mac + " on " + name + ": " + reason, node,
                         "link state");
    std::string failed = on_host({"ip", "link", "set", "dev", dev, up ? "up" : "down"});
    if (!failed.empty())
        throw InfraError("cannot set the link of " + mac + " on " + name + " (libvirt: " + reason +
                             "; ip link set " + dev + ": " + failed + ")",
                         node, "link state");
}

void Connection::remove_domain(virDomainPtr domain, const std::string& node) {
    std::string name = name_of(domain);
    if (virDomainIsActive(domain) == 1) {
        ++mutations_;
        if (virDomainDestroy(domain) < 0)
            throw_last_error("cannot stop domain " + name, node, "destroy");
    }
    ++mutations_;
    // QEMU: also drop managed-save images and snapshot metadata, which would block undefine.
    // The LXC driver has neither and rejects the flags (measured: "unsupported flags (0x3) in
    // function lxcDomainUndefineFlags"), so it gets a plain undefine.
    unsigned flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
    int rc = virDomainUndefineFlags(domain, flags);
    if (rc < 0 && last_error_code() == VIR_ERR_INVALID_ARG) rc = virDomainUndefine(domain);
    if (rc < 0) throw_last_error("cannot undefine domain " + name, node, "undefine");
}

void Connection::suspend_domain(virDomainPtr domain, const std::string& node) {
    ++mutations_;
    if (virDomainSuspend(domain) < 0)
        throw_last_error("cannot pause domain " + name_of(domain), node, "suspend");
}

void Connection::resume_domain(virDomainPtr domain, const std::string& node) {
    ++mutations_;
    if (virDomainResume(domain) < 0)
        throw_last_error("cannot resume domain " + name_of(domain), node, "resume");
}

namespace {
SnapshotPtr lookup_snapshot(virDomainPtr domain, const std::string& name) {
    SnapshotPtr snapshot(virDomainSnapshotLookupByName(domain, name.c_str(), 0));
    if (!snapshot) virResetLastError();  // absent is an answer, not an error
    return snapshot;
}
}  // namespace

bool Connection::has_snapshot(virDomainPtr domain, const std::string& name) {
    return lookup_snapshot(domain, name) != nullptr;
}

void Connection::create_snapshot(virDomainPtr domain, const std::string& xml,
                                 const std::string& node) {
    ++mutations_;
    SnapshotPtr snapshot(virDomainSnapshotCreateXML(domain, xml.c_str(), 0));
    if (!snapshot)
        throw_last_error("cannot snapshot domain " + name_of(domain), node, "snapshot save");
}

void Connection::revert_snapshot(virDomainPtr domain, const std::string& name, bool paused,
                                 const std::string& node) {
    SnapshotPtr snapshot = lookup_snapshot(domain, name);
    if (!snapshot)
        throw InfraError("domain " + name_of(domain) + " has no libvirt snapshot " + name +
                             " (was the domain recreated since the save?)",
                         node, "snapshot restore");
    ++mutations_;
    // FORCE: a revert that must start a new emulator (the domain was shut off) is accepted.
    unsigned flags = VIR_DOMAIN_SNAPSHOT_REVERT_FORCE;
    if (paused) flags |= VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED;
    if (virDomainRevertToSnapshot(snapshot.get(), flags) < 0)
        throw_last_error("cannot revert domain " + name_of(domain) + " to " + name, node,
                         "snapshot restore");
}

void Connection::delete_snapshot(virDomainPtr domain, const std::string& name,
                                 const std::string& node) {
    SnapshotPtr snapshot = lookup_snapshot(domain, name);
    if (!snapshot) return;
    ++mutations_;
    if (virDomainSnapshotDelete(snapshot.get(), 0) < 0)
        throw_last_error("cannot delete snapshot " + name + " of domain " + name_of(domain), node,
                         "snapshot rm");
}

}  // namespace labctl::virt

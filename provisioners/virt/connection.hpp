// One libvirt connection and the operations labctl performs on it. Every call that changes
// libvirt state goes through here and is counted, so a test can check that re-running `up`
// on a running lab makes zero mutations. Thread-safe: libvirt connections are, and the
// counter is atomic.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "virt/handles.hpp"

namespace labctl::virt {

enum class DomainState { absent, running, paused, shut_off, crashed, other };
std::string to_string(DomainState state);

class Connection {
  public:
    // Throws InfraError naming the URI when libvirt cannot be reached.
    explicit Connection(const std::string& uri);

    virConnectPtr get() const { return conn_.get(); }
    const std::string& uri() const { return uri_; }
    // test:///... runs in-process with fake guests: nothing to probe over the network.
    bool is_test_driver() const { return uri_.rfind("test:", 0) == 0; }
    // True when libvirt's domain capabilities offer domain type kvm on this host.
    bool kvm_usable() const;
    // The host's free memory (virNodeGetFreeMemory); nullopt when the driver cannot tell.
    std::optional<unsigned long long> free_memory_bytes() const;
    // The name of the bridge libvirt gave NETWORK (its XML's <bridge name>), "" when none.
    static std::string bridge_of(virNetworkPtr network);

    // Queries (no mutation). Lookups return null when the object does not exist.
    std::vector<DomainPtr> domains() const;
    std::vector<NetworkPtr> networks() const;
    DomainPtr domain(const std::string& name) const;
    NetworkPtr network(const std::string& name) const;
    PoolPtr pool(const std::string& name) const;
    VolumePtr volume(virStoragePoolPtr pool, const std::string& name) const;
    // The names of POOL's volumes (an active pool), sorted.
    std::vector<std::string> volume_names(virStoragePoolPtr pool) const;
    static std::string xml_of(virDomainPtr domain);
    static std::string xml_of(virNetworkPtr network);
    static std::string xml_of(virStoragePoolPtr pool);
    // The XML of an object from a listing, or nullopt when it went away since (another labctl
    // removing its own lab at the same moment): going through every object must not fail then.
    static std::optional<std::string> xml_if_exists(virDomainPtr domain);
    static std::optional<std::string> xml_if_exists(virNetworkPtr network);
    static std::string name_of(virDomainPtr domain);
    static std::string name_of(virNetworkPtr network);
    static DomainState state_of(virDomainPtr domain);
    static bool is_active(virNetworkPtr network);
    static bool is_active(virStoragePoolPtr pool);

    // Mutations; each throws InfraError(node, step) on failure.
    NetworkPtr define_network(const std::string& xml, const std::string& step);
    void start_network(virNetworkPtr network, const std::string& step);
    void remove_network(virNetworkPtr network, const std::string& step);  // destroy + undefine
    PoolPtr define_pool(const std::string& xml, const std::string& step);
    void start_pool(virStoragePoolPtr pool, const std::string& step);
    // Makes the pool's directory on its host (virStoragePoolBuild): a remote host's pool needs
    // no shell for that. Harmless when the directory exists.
    void build_pool(virStoragePoolPtr pool, const std::string& step);
    void remove_pool(virStoragePoolPtr pool,
                     const std::string& step);  // volumes, destroy, undefine
    VolumePtr create_volume(virStoragePoolPtr pool, const std::string& xml, const std::string& node,
                            const std::string& step = "clone");
    void delete_volume(virStorageVolPtr volume, const std::string& node, const std::string& step);
    // Sends FILE's bytes into VOLUME on its host (virStorageVolUpload over a virStream: the
    // way to a host that shares no disk with labctl). An interrupt (Ctrl-C) aborts the stream
    // between two chunks; a failed or aborted upload leaves the volume incomplete, which the
    // caller must not take for a complete one.
    void upload_volume(virStorageVolPtr volume, const std::filesystem::path& file,
                       const std::string& node, const std::string& step);
    DomainPtr define_domain(const std::string& xml, const std::string& node);
    void start_domain(virDomainPtr domain, const std::string& node);
    void remove_domain(virDomainPtr domain, const std::string& node);  // destroy + undefine
    // Hard power-off, keeping the definition (labctl kill --mode poweroff).
    void power_off_domain(virDomainPtr domain, const std::string& node);
    // Asks the guest to shut down (ACPI on a VM, the container's init on LXC); returns at
    // once, the caller waits for the state to change (labctl stop).
    void shutdown_domain(virDomainPtr domain, const std::string& node);
    // Runs ARGV on the domain's host; "" when it succeeded, else why it failed.
    using HostCommand = std::function<std::string(const std::vector<std::string>& argv)>;
    // The link state of the NIC with MAC, on the running domain (labctl kill --mode link-down).
    // A driver that cannot modify live devices (LXC) gets the NIC's host side set instead,
    // `ip link set dev DEV up|down` through ON_HOST: that device is on the domain's host,
    // which for a remote libvirt is not this machine.
    void set_link_state(virDomainPtr domain, const std::string& mac, bool up,
                        const std::string& node, const HostCommand& on_host);

    // Pause and resume a running domain (`snapshot save` freezes the whole lab at one moment).
    void suspend_domain(virDomainPtr domain, const std::string& node);
    void resume_domain(virDomainPtr domain, const std::string& node);
    // Domain snapshots (labctl's are internal, inside the qcow2 disks, with the guest's memory).
    static bool has_snapshot(virDomainPtr domain, const std::string& name);
    void create_snapshot(virDomainPtr domain, const std::string& xml, const std::string& node);
    // Back to snapshot NAME. PAUSED: a snapshot of a running domain comes back paused, so a
    // lab's nodes can be resumed together; otherwise the domain ends as it was at the save.
    void revert_snapshot(virDomainPtr domain, const std::string& name, bool paused,
                         const std::string& node);
    // A no-op when the domain has no snapshot NAME.
    void delete_snapshot(virDomainPtr domain, const std::string& name, const std::string& node);

    int mutations() const { return mutations_.load(); }

  private:
    std::string uri_;
    ConnectPtr conn_;
    std::atomic<int> mutations_{0};
};

}  // namespace labctl::virt

// `labctl snapshot save|restore|list|rm NAME`: the whole lab at one moment.
//
// save: every running domain is paused first (engine::FrozenDomains), so no node runs on
// while another is being saved; then each node is saved (LXC: its overlay's upper layer copied
// with `cp -a`; QEMU/KVM: a libvirt internal snapshot with the guest's memory, inside its
// qcow2), then labctl's own state; then all resume together (also on failure).
// restore: LXC nodes are stopped, their upper layers replaced and started again through
// `start`'s machinery; VMs are reverted, left paused, and resumed together. Either way the
// command returns once every node is ready as `up` defines it (SSH, planned addresses,
// healthy service instances). The SSH host keys are in the disks and in the saved pinned
// known_hosts, so they come back together.
// A lab across hosts: only while every node runs on the host labctl runs on. A node on another
// host keeps its disk there (the overlay's upper layer), which this machine's snapshot
// directory cannot hold: save and restore refuse such a lab (exit 2) naming those nodes.
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "commands/lab_loading.hpp"
#include "commands/lifecycle_commands.hpp"
#include "commands/node_start.hpp"
#include "engine/inventory.hpp"
#include "engine/lab_connections.hpp"
#include "engine/lab_freeze.hpp"
#include "engine/lab_state.hpp"
#include "engine/lxc_cgroups.hpp"
#include "engine/overlay.hpp"
#include "engine/snapshot_store.hpp"
#include "engine/stopped_nodes.hpp"
#include "engine/target.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/parallel.hpp"
#include "util/reporter.hpp"
#include "util/stamp.hpp"
#include "util/strings.hpp"
#include "virt/connection.hpp"
#include "virt/xml_builders.hpp"
#include "virt/xml_query.hpp"

namespace labctl::commands {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct SnapshotRun {
    topo::Lab lab;
    topo::Lab placed;  // as the nodes see it (engine::placed_lab)
    fs::path state_dir;
    std::vector<std::string> nodes;  // file order
    virt::DomainKind kind = virt::DomainKind::qemu;
    bool lxc() const { return kind == virt::DomainKind::lxc; }
};

// A VM's disks as its live definition has them: writable ones are saved inside their qcow2,
// read-only ones (the seed disk) are not.
struct VmDisks {
    std::vector<std::string> writable, read_only;  // targets
    std::vector<std::string> files;                // the writable disks' files
};

VmDisks disks_of(virDomainPtr domain) {
    virt::XmlDoc xml(virt::Connection::xml_of(domain));
    VmDisks disks;
    disks.writable =
        xml.values("/domain/devices/disk[@device='disk' and not(readonly)]/target/@dev");
    disks.read_only = xml.values("/domain/devices/disk[@device='disk' and readonly]/target/@dev");
    disks.files = xml.values("/domain/devices/disk[@device='disk' and not(readonly)]/source/@file");
    return disks;
}

// Bytes the host has allocated for FILES (what an internal snapshot adds to a qcow2).
long long allocated_bytes(const std::vector<std::string>& files) {
    long long total = 0;
    for (const auto& file : files) {
        struct stat st {};
        if (::stat(file.c_str(), &st) == 0) total += static_cast<long long>(st.st_blocks) * 512;
    }
    return total;
}

// Every node of the lab has its domain (snapshots are of a lab that is up).
std::map<std::string, virDomainPtr> lab_domains(const SnapshotRun& run,
                                                const engine::Inventory& inventory,
                                                const std::string& uri, const std::string& action) {
    std::map<std::string, virDomainPtr> domains;
    for (const auto& node : run.nodes) {
        auto it = inventory.domains.find(node);
        if (it == inventory.domains.end())
            throw InfraError("node " + node + " has no domain on " + uri + ": run labctl up first",
                             node, "snapshot " + action);
        domains[node] = it->second.get();
    }
    return domains;
}

void save(virt::Connection& connection, const SnapshotRun& run, const std::string& name, int jobs,
          util::Reporter& report) {
    if (fs::exists(engine::snapshot_dir(run.state_dir, name)))
        throw InputError("lab " + run.lab.lab.name + " already has a snapshot `" + name +
                         "` (`labctl snapshot rm " + name + "` first)");
    auto inventory = engine::take_inventory(connection, run.lab.lab.name);
    auto domains = lab_domains(run, inventory, connection.uri(), "save");
    std::string libvirt_name = engine::libvirt_snapshot_name(name);

    // An interrupted save of this name left a partial directory (and, on VMs, perhaps some
    // libvirt snapshots): it starts over.
    fs::path partial = engine::partial_snapshot_dir(run.state_dir, name);
    engine::remove_tree(partial);
    util::make_dirs(partial, 0700);
    std::map<std::string, VmDisks> disks;
    std::vector<std::string> running;
    long long allocated_before = 0;
    for (const auto& node : run.nodes) {
        virDomainPtr domain = domains.at(node);
        // Active (running, or paused by someone else): saved with its memory, resumed after.
        if (virt::Connection::state_of(domain) != virt::DomainState::shut_off)
            running.push_back(node);
        if (run.lxc()) continue;
        connection.delete_snapshot(domain, libvirt_name, node);
        disks[node] = disks_of(domain);
        allocated_before += allocated_bytes(disks[node].files);
    }

    auto began = Clock::now();
    {
        std::vector<std::pair<std::string, virDomainPtr>> all(domains.begin(), domains.end());
        engine::FrozenDomains frozen(connection, all, report);
        report.step(fmt::format("lab {}  paused ({} of {} domains running)", run.lab.lab.name,
                                frozen.count(), run.nodes.size()));
        util::make_dirs(partial / "upper", 0700);
        util::parallel_for(
            run.nodes.size(), util::jobs_or(jobs, run.nodes.size()), [&](std::size_t k) {
                const std::string& node = run.nodes[k];
                auto node_began = Clock::now();
                if (run.lxc()) {
                    auto paths = engine::overlay_paths(run.state_dir, {}, node);
                    if (!fs::is_directory(paths.upper))
                        throw InfraError("node " + node + " has no overlay at " +
                                             paths.upper.string() + ": run labctl up first",
                                         node, "snapshot save");
                    engine::copy_tree(paths.upper, partial / "upper" / node, node, "snapshot save");
                } else {
                    virt::SnapshotSpec spec;
                    spec.name = libvirt_name;
                    spec.description = "labctl snapshot " + name + " of lab " + run.lab.lab.name;
                    spec.internal_disks = disks.at(node).writable;
                    spec.skipped_disks = disks.at(node).read_only;
                    spec.memory = std::find(running.begin(), running.end(), node) != running.end();
                    connection.create_snapshot(domains.at(node), virt::snapshot_xml(spec), node);
                }
                report.detail(
                    fmt::format("node {}  saved ({:.1f}s)", node, util::seconds_since(node_began)));
            });
        engine::save_lab_state(run.state_dir, partial / "state");
        frozen.resume();
    }

    engine::SnapshotInfo info;
    info.name = name;
    info.created = util::utc_now();
    info.nodes = run.nodes;
    info.running = running;
    info.driver = virt::to_string(run.kind);
    info.size_bytes = engine::tree_bytes(partial);
    if (!run.lxc()) {
        long long after = 0;
        for (const auto& [node, vm] : disks) after += allocated_bytes(vm.files);
        info.size_bytes += std::max(0LL, after - allocated_before);
    }
    info.seconds = util::seconds_since(began);
    engine::write_manifest(partial, info);
    fs::rename(partial, engine::snapshot_dir(run.state_dir, name));
    report.step(fmt::format("snapshot {}  saved: {} nodes, {} in {:.1f}s", name, run.nodes.size(),
                            engine::describe_bytes(info.size_bytes), info.seconds));
}

// LXC: NODE's domain is off and its overlay unmounted; its upper layer becomes the saved one
// (copied beside it, then renamed in) and the overlay's scratch dir starts empty.
void restore_upper(const SnapshotRun& run, const fs::path& saved, const std::string& node) {
    auto paths = engine::overlay_paths(run.state_dir, {}, node);
    engine::unmount_overlay(paths.merged, node);
    fs::path incoming = paths.upper.parent_path() / "upper.restoring";
    engine::remove_tree(incoming);
    engine::copy_tree(saved / "upper" / node, incoming, node, "snapshot restore");
    engine::remove_tree(paths.upper);
    fs::rename(incoming, paths.upper);
    engine::remove_tree(paths.work);
}

void restore(engine::LabConnections& hosts, const SnapshotRun& run,
             const engine::SnapshotInfo& info, int jobs, util::Reporter& report) {
    virt::Connection& connection = hosts.gateway();
    bool saved_lxc = info.driver == virt::to_string(virt::DomainKind::lxc);
    if (saved_lxc != run.lxc())
        throw InfraError("snapshot " + info.name + " was taken on driver " + info.driver +
                             "; the lab now runs on " + virt::to_string(run.kind),
                         {}, "snapshot restore");
    if (std::set<std::string>(info.nodes.begin(), info.nodes.end()) !=
        std::set<std::string>(run.nodes.begin(), run.nodes.end()))
        throw InputError("snapshot " + info.name + " has nodes " + util::join(info.nodes, ", ") +
                         " but the lab file now has " + util::join(run.nodes, ", ") +
                         ": restore it with the lab file it was taken with");
    auto inventory = engine::take_inventory(connection, run.lab.lab.name);
    auto domains = lab_domains(run, inventory, connection.uri(), "restore");
    fs::path saved = engine::snapshot_dir(run.state_dir, info.name);
    auto began = Clock::now();

    if (run.lxc()) {
        util::parallel_for(
            run.nodes.size(), util::jobs_or(jobs, run.nodes.size()), [&](std::size_t k) {
                const std::string& node = run.nodes[k];
                virDomainPtr domain = domains.at(node);
                if (virt::Connection::state_of(domain) != virt::DomainState::shut_off) {
                    std::string name = virt::Connection::name_of(domain);
                    connection.power_off_domain(domain, node);
                    engine::remove_container_cgroups(engine::host_cgroup_root, name);
                }
                restore_upper(run, saved, node);
                report.detail("node " + node + "  disk restored");
            });
        engine::restore_lab_state(saved / "state", run.state_dir);
        report.step(fmt::format("lab {}  disks restored ({:.1f}s)", run.lab.lab.name,
                                util::seconds_since(began)));
        auto stopped = engine::load_stopped_nodes(run.state_dir);
        std::vector<std::string> to_start;
        for (const auto& node : run.nodes)
            if (!stopped.count(node)) to_start.push_back(node);
        start_nodes(hosts, run.placed, run.state_dir, run.kind, to_start, jobs, report);
    } else {
        std::string libvirt_name = engine::libvirt_snapshot_name(info.name);
        std::set<std::string> running(info.running.begin(), info.running.end());
        // Each VM back to its snapshot and left paused, then all resumed at once: no node runs
        // ahead of the others.
        std::vector<std::pair<std::string, virDomainPtr>> reverted;
        util::parallel_for(run.nodes.size(), util::jobs_or(jobs, run.nodes.size()),
                           [&](std::size_t k) {
                               const std::string& node = run.nodes[k];
                               connection.revert_snapshot(domains.at(node), libvirt_name,
                                                          running.count(node) > 0, node);
                               report.detail("node " + node + "  reverted");
                           });
        for (const auto& node : run.nodes)
            if (running.count(node)) reverted.emplace_back(node, domains.at(node));
        for (const auto& [node, domain] : reverted)
            if (virt::Connection::state_of(domain) == virt::DomainState::paused)
                connection.resume_domain(domain, node);
        engine::restore_lab_state(saved / "state", run.state_dir);
        report.step(fmt::format("lab {}  reverted and resumed ({:.1f}s)", run.lab.lab.name,
                                util::seconds_since(began)));
        std::vector<std::string> ready(info.running.begin(), info.running.end());
        await_nodes_ready(hosts, run.placed, run.state_dir, run.kind, ready, jobs, report);
    }
    report.step(fmt::format("snapshot {}  restored: {} nodes, {} in {:.1f}s", info.name,
                            run.nodes.size(), engine::describe_bytes(info.size_bytes),
                            util::seconds_since(began)));
}

void remove_snapshot(const SnapshotRun& run, const engine::SnapshotInfo& info,
                     const std::optional<engine::LabRecord>& record, const GlobalOptions& global,
                     util::Reporter& report) {
    // A VM's snapshot is also inside its qcow2: libvirt deletes it there, on the domains that
    // still exist (after `down --keep-disks` they are gone and so is the metadata).
    if (record && info.driver != virt::to_string(virt::DomainKind::lxc)) {
        virt::Connection connection(global.connect.empty() ? record->uri : global.connect);
        auto inventory = engine::take_inventory(connection, run.lab.lab.name);
        for (const auto& [node, domain] : inventory.domains)
            connection.delete_snapshot(domain.get(), engine::libvirt_snapshot_name(info.name),
                                       node);
    }
    // Renamed out of the list first: an interrupted rm leaves no half snapshot to restore.
    fs::path dir = engine::snapshot_dir(run.state_dir, info.name);
    fs::path doomed = engine::partial_snapshot_dir(run.state_dir, info.name);
    engine::remove_tree(doomed);
    fs::rename(dir, doomed);
    engine::remove_tree(doomed);
    report.step("snapshot " + info.name + "  removed (" + engine::describe_bytes(info.size_bytes) +
                ")");
}

}  // namespace

int run_snapshot(const GlobalOptions& global, const SnapshotOptions& options, std::ostream& out) {
    // The name becomes a directory and a libvirt name: checked before anything else.
    if (options.action != "list") engine::check_snapshot_name(options.name);
    util::Reporter report(out, global.verbosity);
    SnapshotRun run;
    run.lab = load_lab(global);
    for (const auto& node : run.lab.nodes) run.nodes.push_back(node.name);
    run.state_dir = store::lab_state_dir(run.lab.lab.name);

    if (options.action == "list") {
        auto list = engine::list_snapshots(run.state_dir);
        if (options.json)
            out << engine::snapshot_list_json(run.lab.lab.name, list).dump() << "\n";
        else
            out << engine::snapshot_list_text(run.lab.lab.name, list);
        return 0;
    }
    engine::LabLock lock(run.state_dir, run.lab.lab.name, "snapshot " + options.action);
    auto record = engine::load_record(run.state_dir);
    if (options.action == "rm") {
        auto info = engine::require_snapshot(run.state_dir, run.lab.lab.name, options.name);
        remove_snapshot(run, info, record, global, report);
        return 0;
    }
    // save and restore: a lab that is up.
    if (!record)
        throw InfraError("lab " + run.lab.lab.name + " is not up (no state): run labctl up first");
    auto kind = engine::parse_kind(record->driver);
    if (!kind) throw InfraError("lab state names an unknown driver `" + record->driver + "`");
    run.kind = *kind;
    std::optional<engine::SnapshotInfo> info;
    if (options.action == "restore")
        info = engine::require_snapshot(run.state_dir, run.lab.lab.name, options.name);
    if (auto elsewhere = engine::nodes_off_gateway(*record, run.nodes); !elsewhere.empty())
        throw InputError("snapshot " + options.action + ": lab " + run.lab.lab.name +
                         " has node(s) on another host (" + util::join(elsewhere, ", ") +
                         "), whose disks stay there; a snapshot is taken of a lab whose nodes "
                         "all run on the host labctl runs on");
    engine::LabConnections hosts(*record, global.connect, run.state_dir, true);
    run.placed = engine::placed_lab(run.lab, record->spanning_networks);
    if (options.action == "save")
        save(hosts.gateway(), run, options.name, options.jobs, report);
    else
        restore(hosts, run, *info, options.jobs, report);
    return 0;
}

}  // namespace labctl::commands

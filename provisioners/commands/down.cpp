#include <filesystem>

#include "commands/lab_commands.hpp"
#include "commands/lab_loading.hpp"
#include "engine/host_set.hpp"
#include "engine/lab_state.hpp"
#include "engine/netem.hpp"
#include "engine/port_forward.hpp"
#include "engine/stopped_nodes.hpp"
#include "engine/target.hpp"
#include "engine/teardown.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"
#include "util/reporter.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

namespace {

// Every host at once: its domains and networks by tag (teardown_lab), then, on a remote host,
// the lab's pool of VM disks; the VXLAN devices, the ifb devices of the impairments set on its
// nodes and, on a remote host, the lab's overlays and files (the cached base image stays).
int down_across_hosts(const std::string& lab, const std::filesystem::path& state_dir,
                      const std::optional<engine::LabRecord>& record,
                      const std::vector<engine::LabHost>& hosts,
                      const std::vector<std::string>& spanning, bool keep_disks,
                      util::Reporter& progress) {
    auto sessions = engine::open_hosts(hosts, state_dir, true);
    std::vector<int> removed(sessions.size(), 0);
    auto impairments = engine::load_netem(state_dir);
    engine::TeardownOptions teardown;
    teardown.keep_disks = keep_disks;
    util::parallel_for(sessions.size(), sessions.size(), [&](std::size_t k) {
        const auto& host = hosts[k];
        // The record's pool and overlays are the gateway host's (`up` records its share); the
        // other hosts' local leftovers (seed trees) are kept apart, in hosts/NAME.
        bool gateway = k == engine::gateway_host(hosts);
        auto dir = gateway ? state_dir : state_dir / "hosts" / host.name;
        removed[k] += engine::teardown_lab(*sessions[k].connection, lab, dir,
                                           gateway ? record : std::optional<engine::LabRecord>{},
                                           teardown, progress);
        // A remote host's VM disks: the lab's pool there (the image cache pool stays).
        if (!host.local && !keep_disks &&
            engine::remove_remote_pool(*sessions[k].connection, lab)) {
            progress.step("pool " + engine::pool_name(lab) + "  removed with its volumes on host " +
                          host.name + " (the cached image stays)");
            ++removed[k];
        }
        auto* access = sessions[k].access.get();
        if (!access) return;
        for (const auto& network : spanning) {
            auto device = engine::vxlan_device(engine::vxlan_vni(lab, network));
            if (engine::remove_vxlan(*access, device, engine::vxlan_alias(lab, network))) {
                progress.step("vxlan " + device + "  network " + network + " on host " + host.name +
                              " removed");
                ++removed[k];
            }
        }
        // An ifb's name is the lab's own (lab, node, network): looked for on every host, since
        // a record lost with the lab still up cannot say where its node ran.
        for (const auto& [link, netem] : impairments)
            if (engine::remove_ifb(*access, netem.ifb)) {
                progress.step("impairment " + link + "  removed (" + netem.ifb + " on host " +
                              host.name + ")");
                ++removed[k];
            }
        if (!host.local && !keep_disks && engine::remove_remote_lab(*access, lab)) {
            progress.step("host " + host.name + "  lab files removed (" +
                          engine::remote_lab_dir(lab) + "; the cached image stays)");
            ++removed[k];
        }
    });
    int total = 0;
    for (int n : removed) total += n;
    return total;
}

}  // namespace

int run_down(const GlobalOptions& global, const DownOptions& options, std::ostream& out) {
    util::Reporter progress(out, global.verbosity);
    // --lab works without the topology file: everything needed is in the tags and the record.
    std::string lab_name = options.lab.value_or("");
    std::string lab_connect;
    topo::Driver lab_driver = topo::Driver::automatic;
    // The name becomes a directory (the lock, the record): checked before anything is created.
    if (options.lab && lab_name.empty())
        throw InputError(
            "--lab: empty lab name; give the lab's name, or leave --lab out to take it from " +
            global.file);
    if (options.lab && !store::is_lab_name(lab_name))
        throw InputError("--lab `" + lab_name +
                         "`: not a lab name (a lab name matches ^[a-z][a-z0-9-]{0,30}$)");
    std::vector<engine::LabHost> file_hosts;  // [hosts] of the lab file
    std::vector<std::string> file_networks;
    if (!options.lab) {
        topo::Lab lab = load_lab(global);
        lab_name = lab.lab.name;
        lab_connect = lab.lab.connect;
        lab_driver = lab.lab.driver;
        file_hosts = engine::lab_hosts(lab);
        for (const auto& network : lab.networks) file_networks.push_back(network.name);
    }
    auto state_dir = store::lab_state_dir(lab_name);
    engine::LabLock lock(state_dir, lab_name, "down");
    auto record = engine::load_record(state_dir);
    // A lab across hosts: every host of the record (or of the file when there is none).
    if ((record && !record->hosts.empty()) || !file_hosts.empty()) {
        auto hosts =
            record && !record->hosts.empty() ? engine::recorded_hosts(*record) : file_hosts;
        auto spanning =
            record && !record->hosts.empty() ? record->spanning_networks : file_networks;
        int removed = down_across_hosts(lab_name, state_dir, record, hosts, spanning,
                                        options.keep_disks, progress);
        engine::save_stopped_nodes(state_dir, {});
        engine::save_netem(state_dir, {});
        if (removed == 0)
            out << "nothing to remove: lab " << lab_name << " has no objects on its "
                << hosts.size() << " host(s)\n";
        else
            progress.step("lab " + lab_name + " is down on every host");
        return 0;
    }
    auto driver = engine::requested_driver(global.driver, lab_driver);
    if (record && global.driver.empty() && record->driver == "lxc") driver = topo::Driver::lxc;
    std::string connect = lab_connect.empty() && record ? record->uri : lab_connect;
    std::string uri = engine::choose_uri(global.connect, connect, driver);
    virt::Connection connection(uri);

    // The lab's forwards, by the table's name alone (the test driver's labs have none).
    int forwards = !connection.is_test_driver() && engine::remove_forward_table(lab_name) ? 1 : 0;
    if (forwards)
        progress.step("forwards  removed (nftables table " + engine::forward_table(lab_name) + ")");
    engine::TeardownOptions teardown;
    teardown.keep_disks = options.keep_disks;
    int removed = forwards +
                  engine::teardown_lab(connection, lab_name, state_dir, record, teardown, progress);
    // A lab brought up again starts every node: none is the user's stopped one any more.
    engine::save_stopped_nodes(state_dir, {});
    // The NICs' own qdiscs went with their domains; labctl's ifb devices stay until removed.
    auto here = engine::local_host_access("local");
    for (const auto& [link, netem] : engine::load_netem(state_dir)) {
        engine::remove_ifb(*here, netem.ifb);
        progress.step("impairment " + link + "  removed (" + netem.ifb + ")");
        ++removed;
    }
    engine::save_netem(state_dir, {});
    if (removed == 0)
        out << "nothing to remove: lab " << lab_name << " has no objects on " << uri << "\n";
    else
        progress.step("lab " + lab_name + " is down");
    return 0;
}

}  // namespace labctl::commands

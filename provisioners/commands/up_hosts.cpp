// `up` of a lab across hosts (SPEC.md section 6): one libvirt connection per host, opened at
// once; the nodes placed (their `host`, where the record has them, else the most free
// memory); each host's share planned and applied like a one-host lab, networks first on every
// host, then the VXLAN links between their bridges, then the nodes on all hosts at once.
#include <algorithm>
#include <map>

#include "commands/link_impairment.hpp"
#include "commands/node_seed.hpp"
#include "commands/provision_step.hpp"
#include "commands/up_support.hpp"
#include "engine/apply.hpp"
#include "engine/drift.hpp"
#include "engine/host_set.hpp"
#include "engine/lab_census.hpp"
#include "engine/lab_connections.hpp"
#include "engine/target.hpp"
#include "image/cloud_image.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

namespace labctl::commands {

namespace {

bool is_network_action(const engine::Action& action) {
    return action.kind == engine::Action::Kind::define_network ||
           action.kind == engine::Action::Kind::start_network;
}

}  // namespace

int up_across_hosts(const GlobalOptions& global, const UpOptions& options, std::ostream& out,
                    const UpHooks& hooks, const topo::Lab& lab, util::Reporter& progress) {
    if (!global.connect.empty())
        throw InputError("--connect: lab `" + lab.lab.name +
                         "` names its hosts in [hosts]; each host's `connect` says where");
    auto state_dir = store::lab_state_dir(lab.lab.name);
    auto record = engine::load_record(state_dir);
    auto hosts = engine::lab_hosts(lab);
    std::size_t gateway = engine::gateway_host(hosts);

    util::interrupt_point("connect to the lab's hosts");
    auto sessions = engine::open_hosts(hosts, state_dir, true);
    for (const auto& session : sessions)
        progress.step("host " + session.host.name + "  libvirt " + session.host.uri +
                      (session.host.local ? " (this machine)" : " (remote)"));
    virt::Connection& primary = *sessions[gateway].connection;
    auto driver = engine::requested_driver(global.driver, lab.lab.driver);
    auto kind = engine::resolve_driver(driver, primary);
    if (global.driver.empty() && lab.lab.driver == topo::Driver::automatic && record)
        if (auto recorded = engine::parse_kind(record->driver)) kind = *recorded;
    progress.step("driver " + virt::to_string(kind) + ", networks' gateway and DHCP on host " +
                  hosts[gateway].name);
    image::check_cloud_images(lab, kind != virt::DomainKind::lxc);
    if (!options.dry_run && !primary.is_test_driver()) build_missing_images(lab, progress);

    // Placement, reported at plan time (also with --dry-run).
    std::vector<std::optional<unsigned long long>> free(sessions.size());
    for (std::size_t k = 0; k < sessions.size(); ++k)
        free[k] = sessions[k].connection->free_memory_bytes();
    std::vector<std::string> reasons;
    auto placement = engine::place_nodes(
        lab, free, record ? record->placement : std::map<std::string, std::string>{}, &reasons);
    for (const auto& reason : reasons) progress.step(reason);
    for (const auto& host : hosts) {
        std::vector<std::string> here;
        for (const auto& node : lab.nodes)
            if (placement[node.name] == host.name) here.push_back(node.name);
        progress.step("host " + host.name +
                      "  nodes: " + (here.empty() ? std::string("none") : util::join(here, ", ")));
    }

    // The networks that span hosts, and the lab as the nodes see it: their NICs on such a
    // network leave room for the VXLAN header (the seed's networkd file sets the MTU).
    auto spanning = engine::spanning_networks(lab, placement);
    topo::Lab placed = engine::placed_lab(lab, spanning);

    auto selection = select_nodes_to_start(lab, options.only, state_dir, progress);
    if (selection.nothing) return 0;
    bool with_seed = hooks.seeds != nullptr;
    bool wait = !primary.is_test_driver();
    std::vector<engine::Desired> desired;
    std::vector<std::vector<engine::Action>> plans;
    for (std::size_t k = 0; k < sessions.size(); ++k) {
        desired.push_back(engine::desired_on_host(placed, kind, selection.only, with_seed,
                                                  placement, hosts, k, sessions[k].access.get()));
        auto& connection = *sessions[k].connection;
        engine::check_no_collision(engine::take_census(connection), desired[k]);
        plans.push_back(engine::make_plan(connection, desired[k], wait, with_seed));
        for (const auto& difference : engine::find_drift(connection, desired[k]))
            progress.warning("host " + hosts[k].name + ": " + difference +
                             " (left as it is; `labctl down` then `labctl up` applies it)");
    }

    if (options.dry_run) {
        size_t changes = 0;
        for (std::size_t k = 0; k < sessions.size(); ++k) {
            out << "host " << hosts[k].name << ":\n";
            for (const auto& action : plans[k]) {
                out << "  would " << action.describe() << "\n";
                changes += action.mutates() ? 1 : 0;
            }
            for (const auto& network : spanning) {
                auto on = engine::hosts_of_network(lab, placement, network);
                if (std::find(on.begin(), on.end(), hosts[k].name) == on.end()) continue;
                auto vni = engine::vxlan_vni(lab.lab.name, network);
                out << "  vxlan " << engine::vxlan_device(vni) << " (VNI " << vni
                    << ") joins network " << network << " to host(s) " << util::join(on, ", ")
                    << "\n";
            }
        }
        out << (changes == 0 ? "nothing to change" : std::to_string(changes) + " change(s) planned")
            << "\n";
        return 0;
    }

    // Recorded before anything exists: `down` finds every host from it.
    auto wanted = desired[gateway].record(hosts[gateway].uri, placed);
    for (const auto& host : hosts) wanted.hosts.push_back({host.name, host.uri, host.underlay});
    wanted.placement = placement;
    wanted.spanning_networks = spanning;
    if (!record || !(*record == wanted)) engine::save_record(state_dir, wanted);
    prepare_ssh_identity(placed, state_dir);

    engine::BannerWaiter banner;
    engine::ApplyOptions apply = up_apply_options(options, hooks, banner);
    std::vector<int> before(sessions.size());
    for (std::size_t k = 0; k < sessions.size(); ++k)
        before[k] = sessions[k].connection->mutations();

    // Networks on every host first: the VXLAN links join their bridges before any node asks
    // the gateway host's DHCP server for its address.
    std::vector<std::vector<engine::Action>> networks(sessions.size()), rest(sessions.size());
    for (std::size_t k = 0; k < sessions.size(); ++k)
        for (const auto& action : plans[k])
            (is_network_action(action) ? networks[k] : rest[k]).push_back(action);
    util::parallel_for(sessions.size(), sessions.size(), [&](std::size_t k) {
        engine::apply_plan(*sessions[k].connection, lab, desired[k], networks[k], apply, progress);
    });
    if (!primary.is_test_driver()) {
        for (const auto& network : spanning) {
            auto on = engine::hosts_of_network(lab, placement, network);
            util::interrupt_point("vxlan " + network);
            util::parallel_for(sessions.size(), sessions.size(), [&](std::size_t k) {
                if (std::find(on.begin(), on.end(), hosts[k].name) == on.end()) return;
                auto name = engine::network_name(lab.lab.name, network);
                auto net = sessions[k].connection->network(name);
                if (!net)
                    throw InfraError("host " + hosts[k].name + ": network " + name + " is missing",
                                     {}, "vxlan");
                auto link = engine::vxlan_link(lab.lab.name, network, on, hosts, k,
                                               virt::Connection::bridge_of(net.get()));
                if (engine::ensure_vxlan(*sessions[k].access, link))
                    progress.step("vxlan " + link.device + "  network " + network + " on host " +
                                  hosts[k].name + " joined to " + util::join(link.peers, ", ") +
                                  " (VNI " + std::to_string(link.vni) + ", bridge " + link.bridge +
                                  ")");
            });
        }
    }
    util::parallel_for(sessions.size(), sessions.size(), [&](std::size_t k) {
        engine::apply_plan(*sessions[k].connection, placed, desired[k], rest[k], apply, progress);
    });

    forget_started_nodes(state_dir, options.only, selection.stopped);
    int changes = 0;
    std::size_t nodes = 0;
    std::vector<std::string> booted;
    for (std::size_t k = 0; k < sessions.size(); ++k) {
        changes += sessions[k].connection->mutations() - before[k];
        nodes += desired[k].nodes.size();
        for (const auto& n : desired[k].nodes) booted.push_back(n.node->name);
    }
    progress.step("lab " + lab.lab.name + " is up: " + std::to_string(nodes) + " node(s) on " +
                  std::to_string(hosts.size()) + " host(s), " +
                  (changes == 0 ? std::string("nothing changed")
                                : std::to_string(changes) + " libvirt change(s)"));
    if (primary.is_test_driver()) return 0;
    // The impairments (the file's `impair`, what `labctl netem` set) on each node's own host.
    engine::LabConnections lab_hosts(std::move(sessions), placement);
    apply_link_impairments(lab_hosts, placed, state_dir, booted, progress);
    auto address_timeout =
        apply.boot_timeout.count() > 0 ? apply.boot_timeout : engine::default_boot_timeout(kind);
    return provision_and_verify(global, options, placed, state_dir, selection.only, booted,
                                address_timeout, out, progress);
}

}  // namespace labctl::commands

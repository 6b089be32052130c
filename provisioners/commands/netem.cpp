// `labctl netem NODE[:NETWORK] [--delay D] [--jitter J] [--loss L] [--rate R] | --reset |
// --show`: impairs a node's link on the host side of its NIC (engine/netem.hpp), for every NIC
// of the node when no NETWORK is given. Values are checked before anything is touched (exit
// 2); what is set is recorded so `start` and `up` set it again on the new device and `down`
// removes labctl's ifb devices. tc runs on the node's host (engine::LabConnections: a remote
// one over its checked SSH), where the NIC's host side is.
#include "engine/netem.hpp"
#include "commands/lab_loading.hpp"
#include "commands/lifecycle_commands.hpp"
#include "engine/inventory.hpp"
#include "engine/lab_connections.hpp"
#include "engine/lab_state.hpp"
#include "labfile/loader.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/reporter.hpp"
#include "util/strings.hpp"

namespace labctl::commands {

namespace {

topo::Impairment impairment_of(const NetemOptions& options) {
    topo::Impairment impairment;
    impairment.delay = options.delay.value_or("");
    impairment.jitter = options.jitter.value_or("");
    impairment.loss = options.loss.value_or("");
    impairment.rate = options.rate.value_or("");
    return impairment;
}

// The NICs NODE[:NETWORK] names; InputError for an unknown node or network.
std::vector<const topo::Nic*> target_nics(const topo::Lab& lab, const std::string& target,
                                          const topo::Node*& node) {
    auto colon = target.find(':');
    std::string node_name = target.substr(0, colon);
    node = lab.node(node_name);
    if (!node) {
        std::vector<std::string> names;
        for (const auto& n : lab.nodes) names.push_back(n.name);
        auto hint = util::closest_match(node_name, names);
        throw InputError("netem: unknown node `" + node_name + "`" +
                         (hint.empty() ? "" : " (did you mean `" + hint + "`?)"));
    }
    std::vector<const topo::Nic*> nics;
    if (colon == std::string::npos) {
        for (const auto& nic : node->nics) nics.push_back(&nic);
        return nics;
    }
    std::string network = target.substr(colon + 1);
    const topo::Nic* nic = node->nic(network);
    if (!nic) {
        std::vector<std::string> names;
        for (const auto& n : node->nics) names.push_back(n.network);
        throw InputError("netem: node `" + node->name + "` has no NIC on network `" + network +
                         "` (its networks: " + util::join(names, ", ") + ")");
    }
    return {nic};
}

}  // namespace

int run_netem(const GlobalOptions& global, const NetemOptions& options, std::ostream& out) {
    util::Reporter report(out, global.verbosity);
    auto impairment = impairment_of(options);
    int modes = (options.reset ? 1 : 0) + (options.show ? 1 : 0) + (impairment.empty() ? 0 : 1);
    if (modes != 1)
        throw InputError(
            "netem: give --delay/--jitter/--loss/--rate, or --reset, or --show (one of them)");
    if (!impairment.empty())
        if (auto problems = topo::check_impairment(impairment); !problems.empty())
            throw InputError("netem: " + util::join(problems, "; "));
    auto lab = load_lab(global);
    const topo::Node* node = nullptr;
    auto nics = target_nics(lab, options.target, node);

    auto state_dir = store::lab_state_dir(lab.lab.name);
    auto record = engine::load_record(state_dir);
    if (!record)
        throw InfraError("lab " + lab.lab.name + " is not up (no state): run labctl up first");
    std::optional<engine::LabLock> lock;
    if (!options.show) lock.emplace(state_dir, lab.lab.name, "netem");
    engine::LabConnections hosts(*record, global.connect, state_dir, true);
    auto inventory = engine::take_inventory(hosts.connection(node->name), lab.lab.name);
    auto domain = inventory.domains.find(node->name);
    if (domain == inventory.domains.end())
        throw InfraError("node " + node->name + " has no domain" + hosts.where(node->name) +
                             ": run labctl up first",
                         node->name, "netem");
    auto* host = hosts.access(node->name);
    if (!host)
        throw InfraError("libvirt's test driver has no host side to impair", node->name, "netem");
    bool running = virt::Connection::state_of(domain->second.get()) == virt::DomainState::running;

    auto records = engine::load_netem(state_dir);
    for (const auto* nic : nics) {
        std::string key = node->name + ":" + nic->network;
        engine::NetemLink link{node->name, nic->network, "",
                               engine::ifb_name(lab.lab.name, node->name, nic->network)};
        if (running) link.dev = engine::host_device(domain->second.get(), nic->mac, node->name);
        if (options.show) {
            auto it = records.find(key);
            out << key << "  "
                << (running ? "device " + link.dev + hosts.where(node->name)
                            : std::string("not running"))
                << "  set: " << (it == records.end() ? "none" : it->second.impairment.describe())
                << "\n    now: " << engine::show_netem(*host, link) << "\n";
            continue;
        }
        if (options.reset) {
            engine::reset_netem(*host, link);
            records.erase(key);
            engine::save_netem(state_dir, records);
            report.step("node " + node->name + "  " + nic->network + " impairment removed");
            continue;
        }
        if (!running)
            throw InfraError(
                "the node is not running: start it first (labctl start " + node->name + ")",
                node->name, "netem");
        // Recorded first: a failure half way is still undone by --reset and `down`.
        records[key] = {impairment, link.ifb};
        engine::save_netem(state_dir, records);
        engine::apply_netem(*host, link, impairment);
        report.step("node " + node->name + "  " + nic->network + " impaired (" +
                    impairment.describe() + ", both directions, on " + link.dev +
                    hosts.where(node->name) + ")");
    }
    return 0;
}

}  // namespace labctl::commands

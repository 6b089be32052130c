#include "commands/port_forwards.hpp"

#include <set>

#include "engine/desired.hpp"
#include "engine/port_forward.hpp"
#include "remote/transfer.hpp"
#include "render/template_set.hpp"
#include "topology/diagnostics.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "virt/xml_query.hpp"

namespace labctl::commands {

std::vector<ForwardTarget> forward_targets(const virt::Connection& connection,
                                           const topo::Lab& lab) {
    std::vector<ForwardTarget> targets;
    for (const auto& forward : lab.lab.forwards) {
        const topo::Node* node = lab.node(forward.node);
        if (!node || node->nics.empty()) continue;  // the validator refused it already
        ForwardTarget target{forward.host_port, forward.node, forward.port,
                             node->nics.front().planned.str(), ""};
        if (auto network =
                connection.network(engine::network_name(lab.lab.name, node->nics.front().network)))
            target.bridge = virt::XmlDoc(virt::Connection::xml_of(network.get()))
                                .value("/network/bridge/@name");
        targets.push_back(std::move(target));
    }
    return targets;
}

ForwardRuleset render_forward_ruleset(const std::string& lab,
                                      const std::vector<ForwardTarget>& targets) {
    auto data_with = [&](const std::string& fingerprint) {
        render::Data data = render::object_data();
        data.set("lab", lab);
        data.set("table", engine::forward_table(lab));
        data.set("fingerprint", fingerprint);
        render::Data forwards = render::list_data();
        std::set<std::string> bridges;
        for (const auto& target : targets) {
            render::Data item = render::object_data();
            item.set("host_port", std::to_string(target.host_port));
            item.set("address", target.address);
            item.set("port", std::to_string(target.port));
            item.set("comment",
                     engine::forward_comment(target.host_port,
                                             target.node + ":" + std::to_string(target.port)));
            forwards.push_back(item);
            if (!target.bridge.empty()) bridges.insert(target.bridge);
        }
        data.set("forwards", forwards);
        render::Data bridge_list = render::list_data();
        for (const auto& bridge : bridges) {
            render::Data item = render::object_data();
            item.set("bridge", bridge);
            bridge_list.push_back(item);
        }
        data.set("bridges", bridge_list);
        return data;
    };
    render::TemplateSet templates;
    const std::string name = "nftables/forward.nft.mustache";
    // The fingerprint covers the whole table, so any change (a port, an address, a bridge,
    // the template itself) differs from what is loaded.
    std::string unsigned_text = templates.render(name, data_with(""));
    std::string fingerprint =
        "labctl lab " + lab + " " + remote::sha256_hex(unsigned_text).substr(0, 16);
    return {templates.render(name, data_with(fingerprint)), fingerprint};
}

void check_forward_ports(const topo::Lab& lab) {
    if (lab.lab.forwards.empty()) return;
    if (!engine::nft_available())
        throw InfraError(
            "[lab] forward needs the `nft` program: install nftables "
            "(scripts/setup.sh)",
            {}, "forward");
    auto listening = engine::listening_tcp_ports();
    auto installed = engine::installed_forwards();
    topo::Diagnostics diagnostics(lab.file);
    for (const auto& forward : lab.lab.forwards) {
        std::string port = std::to_string(forward.host_port);
        bool other_lab = false;
        for (const auto& held : installed)
            if (held.host_port == forward.host_port && held.lab != lab.lab.name) {
                diagnostics.error(forward.pos, "forward: host port " + port +
                                                   " is already forwarded by lab " + held.lab +
                                                   " (to " + held.target + ")");
                other_lab = true;
            }
        if (!other_lab && listening.count(forward.host_port))
            diagnostics.error(forward.pos, "forward: host port " + port +
                                               " is in use on this host (a program listens "
                                               "on it)");
    }
    diagnostics.throw_if_any();
}

bool apply_port_forwards(const virt::Connection& connection, const topo::Lab& lab,
                         const std::filesystem::path& state_dir, util::Reporter& report) {
    const std::string table = engine::forward_table(lab.lab.name);
    if (lab.lab.forwards.empty()) {
        if (!engine::remove_forward_table(lab.lab.name)) return false;
        report.step("forwards  removed (nftables table " + table + ")");
        return true;
    }
    auto targets = forward_targets(connection, lab);
    bool changed = false;
    std::set<std::string> bridges;
    for (const auto& target : targets)
        if (!target.bridge.empty()) bridges.insert(target.bridge);
    for (const auto& bridge : bridges) changed |= engine::enable_route_localnet(bridge);

    auto ruleset = render_forward_ruleset(lab.lab.name, targets);
    std::string summary;
    for (const auto& target : targets)
        summary += (summary.empty() ? "" : ", ") + std::to_string(target.host_port) + " -> " +
                   target.node + ":" + std::to_string(target.port);
    if (engine::forward_table_comment(lab.lab.name) == ruleset.fingerprint && !changed) {
        report.detail("forwards  unchanged (" + summary + ")");
        return false;
    }
    // Kept in the state dir: what is loaded can be read there.
    auto file = state_dir / "forwards.nft";
    util::write_file_atomic(file, ruleset.text, 0600);
    engine::load_nft_file(file);
    report.step("forwards  " + summary + " (nftables table " + table + ")");
    return true;
}

}  // namespace labctl::commands

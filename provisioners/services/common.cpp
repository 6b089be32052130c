#include "services/common.hpp"

#include <algorithm>
#include <charconv>

namespace labctl::services {

std::optional<topo::Duration> read_duration(topo::TomlReader& reader, std::string_view key,
                                            bool whole_seconds) {
    auto node = reader.get(key);
    if (!node) return std::nullopt;
    if (node->is_integer()) {
        auto seconds = node->as_integer()->get();
        if (seconds < 0 || seconds > 86400) {
            reader.diagnostics().error(topo::pos_of(*node),
                                       std::string("`").append(key) + "` must be 0..86400 seconds");
            return std::nullopt;
        }
        return topo::Duration{std::to_string(seconds) + "s", static_cast<double>(seconds)};
    }
    if (!node->is_string()) {
        reader.wrong_type(key, *node, "a duration such as \"5s\" or \"500ms\"");
        return std::nullopt;
    }
    const std::string& text = node->as_string()->get();
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    std::string unit = text.substr(digits);
    double scale = unit == "ms"                  ? 0.001
                   : unit == "s" || unit.empty() ? 1
                   : unit == "m"                 ? 60
                   : unit == "h"                 ? 3600
                                                 : -1;
    long value = 0;
    bool number_ok = digits > 0 && digits <= 6 &&
                     std::from_chars(text.data(), text.data() + digits, value).ec == std::errc{};
    if (scale < 0 || !number_ok) {
        reader.diagnostics().error(topo::pos_of(*node),
                                   std::string("`").append(key) + "` = \"" + text +
                                       "\" is not a duration (use e.g. \"5s\", \"500ms\", \"1m\")");
        return std::nullopt;
    }
    if (whole_seconds && unit == "ms") {
        reader.diagnostics().error(topo::pos_of(*node),
                                   std::string("`").append(key) + "` = \"" + text +
                                       "\": nginx counts it in whole seconds (use e.g. \"1s\")");
        return std::nullopt;
    }
    return topo::Duration{std::to_string(value) + (unit.empty() ? "s" : unit), value * scale};
}

std::vector<EnvVar> read_env(topo::TomlReader& reader) {
    using namespace topo;
    std::vector<EnvVar> env;
    if (auto table = reader.subtable("env")) {
        for (auto [key, node] : in_file_order(*table)) {
            if (!is_env_name(std::string(key->str()))) {
                reader.diagnostics().error(
                    pos_of(key->source()),
                    "`" + std::string(key->str()) + "` is not an environment variable name");
                continue;
            }
            std::string value;
            if (node->is_string())
                value = node->as_string()->get();
            else if (node->is_integer())
                value = std::to_string(node->as_integer()->get());
            else if (node->is_boolean())
                value = node->as_boolean()->get() ? "true" : "false";
            else {
                reader.diagnostics().error(pos_of(*node),
                                           "wrong type: env `" + std::string(key->str()) +
                                               "` must be a string, integer or boolean, not " +
                                               type_name(*node));
                continue;
            }
            if (!is_printable_line(value)) {
                reader.diagnostics().error(
                    pos_of(*node),
                    "env `" + std::string(key->str()) + "` must be one line of printable text");
                continue;
            }
            env.push_back({std::string(key->str()), value, pos_of(*node)});
        }
    }
    return env;
}

render::Data header_data(const topo::Lab& lab, const topo::Service& service,
                         const topo::Node& node) {
    render::Data data = render::object_data();
    data.set("lab", lab.lab.name);
    data.set("service", service.name);
    data.set("service_id", identifier(service.name));
    data.set("node", node.name);
    data.set("generator", "labctl");
    return data;
}

PrimaryReplicas read_primary_replicas(topo::TomlReader& reader, topo::Service& service,
                                      std::string_view what) {
    PrimaryReplicas placement;
    auto& diagnostics = reader.diagnostics();
    if (auto primary = reader.string("primary"))
        placement.primary = {*primary, reader.value_pos("primary")};
    if (auto replicas = reader.string_list("replicas")) placement.replicas = *replicas;
    // `on` may stand in for primary + replicas: the first node is the primary.
    if (placement.primary.value.empty() && !service.on.empty()) {
        placement.primary = service.on.front();
        if (!reader.table().contains("replicas"))
            placement.replicas.assign(service.on.begin() + 1, service.on.end());
    }
    if (placement.primary.value.empty() && !reader.table().contains("primary")) {
        diagnostics.error(reader.pos(), "missing key `primary` in " + reader.what() +
                                            " (the node of " + std::string(what) + ")");
        return placement;
    }
    std::vector<topo::Located<std::string>> nodes{placement.primary};
    for (const auto& replica : placement.replicas) {
        bool duplicate = false;
        for (const auto& seen : nodes) duplicate |= seen.value == replica.value;
        if (duplicate)
            diagnostics.error(replica.pos, "node `" + replica.value +
                                               "` appears twice among primary and replicas");
        else
            nodes.push_back(replica);
    }
    if (!service.on.empty()) {
        bool same = service.on.size() == nodes.size();
        for (std::size_t i = 0; same && i < nodes.size(); ++i)
            same = service.on[i].value == nodes[i].value;
        if (!same)
            diagnostics.error(
                service.on.front().pos,
                "`on` disagrees with `primary` and `replicas`; give one or the other");
    }
    service.on = nodes;
    return placement;
}

void check_replicas_reach_primary(const topo::Lab& lab, const PrimaryReplicas& placement,
                                  topo::Diagnostics& diagnostics) {
    const topo::Node* primary = lab.node(placement.primary.value);
    if (!primary) return;  // unknown nodes are reported with `on`
    for (const auto& replica : placement.replicas) {
        const topo::Node* node = lab.node(replica.value);
        if (node && !lab.address_between(*node, *primary))
            diagnostics.error(replica.pos, "replica `" + replica.value +
                                               "` shares no network with primary `" +
                                               primary->name + "`");
    }
}

std::string secret_id(std::string_view service) {
    std::string id;
    for (char c : service)
        id += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return id;
}

std::string identifier(std::string_view name) {
    std::string out(name);
    std::replace(out.begin(), out.end(), '-', '_');
    return out;
}

}  // namespace labctl::services

#include "graph/graph.hpp"

#include <algorithm>

#include "services/registry.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace labctl::graph {

namespace {

using namespace topo;

struct Edge {
    std::string from, to, label;
    bool dashed;
};

std::string services_line(const Lab& lab, const Node& node) {
    std::vector<std::string> lines;
    for (const auto& instance : lab.instances_on(node)) {
        std::string line = instance.service->name + " (" + instance.service->type_name() +
                           ") :" + std::to_string(instance.port);
        auto role = services::kind_of(*instance.service).graph_role(*instance.service, node);
        if (!role.empty()) line += " " + role;
        lines.push_back(line);
    }
    return util::join(lines, "\n");
}

std::vector<Edge> balancer_edges(const Lab& lab) {
    std::vector<Edge> edges;
    for (const auto& service : lab.services)
        for (auto& edge : services::kind_of(service).graph_edges(lab, service))
            edges.push_back({edge.from_node, edge.to_node, edge.label, true});
    return edges;
}

std::string dot_id(std::string_view prefix, std::string_view name) {
    return util::c_quote(std::string(prefix) + std::string(name));
}

std::string to_dot(const Lab& lab) {
    std::string out = "digraph " + util::c_quote("lab " + lab.lab.name) + " {\n";
    out +=
        "    rankdir=LR;\n    node [fontname=\"Helvetica\", fontsize=11];\n    edge "
        "[fontname=\"Helvetica\", fontsize=9];\n";
    out += "    label=" + util::c_quote("lab " + lab.lab.name) + ";\n";
    for (const auto& network : lab.networks)
        out += "    " + dot_id("net:", network.name) +
               " [shape=ellipse, style=filled, fillcolor=\"#e8f0fe\", label=" +
               util::c_quote(network.name + "\n" + to_string(network.mode) + " " +
                             network.subnet.str()) +
               "];\n";
    for (const auto& node : lab.nodes) {
        std::string label = node.name;
        auto services = services_line(lab, node);
        if (!services.empty()) label += "\n" + services;
        out += "    " + dot_id("node:", node.name) +
               " [shape=box, style=rounded, label=" + util::c_quote(label) + "];\n";
        for (const auto& nic : node.nics)
            out += "    " + dot_id("node:", node.name) + " -> " + dot_id("net:", nic.network) +
                   " [dir=none, label=" +
                   util::c_quote(nic.address ? nic.planned.str()
                                             : "dhcp (" + nic.planned.str() + ")") +
                   "];\n";
    }
    for (const auto& edge : balancer_edges(lab))
        out += "    " + dot_id("node:", edge.from) + " -> " + dot_id("node:", edge.to) +
               " [style=dashed, color=\"#c0392b\", label=" + util::c_quote(edge.label) + "];\n";
    return out + "}\n";
}

std::string mermaid_id(std::string_view prefix, std::string_view name) {
    std::string id = std::string(prefix) + std::string(name);
    std::replace(id.begin(), id.end(), '-', '_');
    return id;
}

std::string mermaid_text(std::string text) {
    std::string out;
    for (char c : text) {
        if (c == '\n')
            out += "<br/>";
        else if (c == '"')
            out += "#quot;";
        else
            out += c;
    }
    return out;
}

std::string to_mermaid(const Lab& lab) {
    std::string out = "flowchart LR\n";
    for (const auto& network : lab.networks)
        out += "    " + mermaid_id("net_", network.name) + "([\"" +
               mermaid_text(network.name + "\n" + to_string(network.mode) + " " +
                            network.subnet.str()) +
               "\"])\n";
    for (const auto& node : lab.nodes) {
        std::string label = node.name;
        auto services = services_line(lab, node);
        if (!services.empty()) label += "\n" + services;
        out += "    " + mermaid_id("node_", node.name) + "[\"" + mermaid_text(label) + "\"]\n";
    }
    for (const auto& node : lab.nodes)
        for (const auto& nic : node.nics)
            out += "    " + mermaid_id("node_", node.name) + " ---|\"" +
                   (nic.address ? nic.planned.str() : "dhcp " + nic.planned.str()) + "\"| " +
                   mermaid_id("net_", nic.network) + "\n";
    for (const auto& edge : balancer_edges(lab))
        out += "    " + mermaid_id("node_", edge.from) + " -.->|\"" + mermaid_text(edge.label) +
               "\"| " + mermaid_id("node_", edge.to) + "\n";
    return out;
}

}  // namespace

std::optional<Format> parse_format(std::string_view text) {
    if (text == "dot") return Format::dot;
    if (text == "mermaid") return Format::mermaid;
    if (text == "svg") return Format::svg;
    return std::nullopt;
}

std::string render_graph(const Lab& lab, Format format) {
    switch (format) {
        case Format::dot:
            return to_dot(lab);
        case Format::mermaid:
            return to_mermaid(lab);
        case Format::svg: {
            if (!util::find_program("dot"))
                throw InfraError(
                    "--format svg needs graphviz's `dot` (apt-get install graphviz); "
                    "--format dot or mermaid work without it");
            auto result = util::run_process({"dot", "-Tsvg"}, to_dot(lab));
            if (result.exit_code != 0) throw InfraError("graphviz dot failed: " + result.err);
            return result.out;
        }
    }
    return {};
}

}  // namespace labctl::graph

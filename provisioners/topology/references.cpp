#include "topology/references.hpp"

#include "util/strings.hpp"

namespace labctl::topo {

namespace {

bool is_ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

std::optional<std::string> lookup(const Lab& lab, const Reference& ref, const Instance& instance,
                                  std::string& error) {
    if (ref.scope == "node") {
        if (ref.field == "name") return instance.node->name;
        if (ref.field == "address") {
            if (instance.node->nics.empty()) {
                error = "node " + instance.node->name + " has no address";
                return std::nullopt;
            }
            return instance.node->address();
        }
        error = "unknown field `" + ref.field + "` of `node` (known: name, address)";
        return std::nullopt;
    }
    if (ref.scope == "instance") {
        if (ref.field == "name") return instance.name;
        if (ref.field == "port") return std::to_string(instance.port);
        error = "unknown field `" + ref.field + "` of `instance` (known: name, port)";
        return std::nullopt;
    }
    if (ref.scope == "lab") {
        if (ref.field == "name") return lab.lab.name;
        error = "unknown field `" + ref.field + "` of `lab` (known: name)";
        return std::nullopt;
    }
    const Service* target = lab.service(ref.scope);
    if (!target) {
        std::vector<std::string> names{"node", "instance", "lab"};
        for (const auto& s : lab.services) names.push_back(s.name);
        auto hint = util::closest_match(ref.scope, names);
        error = "unknown service `" + ref.scope + "`" +
                (hint.empty() ? "" : " (did you mean `" + hint + "`?)");
        return std::nullopt;
    }
    if (ref.field == "address") {
        if (target->on.empty()) {
            error = "service `" + target->name + "` runs on no node";
            return std::nullopt;
        }
        const Node* target_node = lab.node(target->on.front().value);
        if (!target_node) {
            error = "service `" + target->name + "` runs on an unknown node";
            return std::nullopt;
        }
        auto address = lab.address_between(*instance.node, *target_node);
        if (!address) {
            error = "node " + instance.node->name + " shares no network with node " +
                    target_node->name + " where `" + target->name + "` runs";
            return std::nullopt;
        }
        return address->str();
    }
    if (ref.field == "port") return std::to_string(target->main_port());
    if (ref.field == "name") return target->name;
    auto fields = target->type->reference_fields(*target);
    for (const auto& [field, value] : fields)
        if (field == ref.field) return value;
    std::string known = "address, port, name";
    for (const auto& field : fields) known += ", " + field.first;
    error = "unknown field `" + ref.field + "` of service `" + target->name + "` (type " +
            target->type_name() + "; known: " + known + ")";
    return std::nullopt;
}

}  // namespace

ReferenceParse parse_references(std::string_view text) {
    ReferenceParse result;
    std::size_t pos = 0;
    while ((pos = text.find("${", pos)) != std::string_view::npos) {
        auto close = text.find('}', pos + 2);
        if (close == std::string_view::npos) {
            result.error = "unterminated `${` (references look like ${service.address})";
            return result;
        }
        auto inside = text.substr(pos + 2, close - pos - 2);
        auto dot = inside.find('.');
        bool valid = dot != std::string_view::npos && dot > 0 && dot + 1 < inside.size();
        for (char c : inside)
            if (c != '.' && !is_ident_char(c)) valid = false;
        if (valid && inside.find('.', dot + 1) != std::string_view::npos) valid = false;
        if (!valid) {
            result.error = "malformed reference `${" + std::string(inside) +
                           "}` (expected ${service.field}, ${node.field} or ${instance.field})";
            return result;
        }
        result.references.push_back({std::string(inside.substr(0, dot)),
                                     std::string(inside.substr(dot + 1)), pos, close + 1 - pos});
        pos = close + 1;
    }
    return result;
}

Resolution resolve_references(const Lab& lab, std::string_view text, const Instance& instance) {
    Resolution result;
    auto parsed = parse_references(text);
    if (!parsed.error.empty()) {
        result.error = parsed.error;
        return result;
    }
    std::size_t copied = 0;
    for (const auto& ref : parsed.references) {
        result.value += text.substr(copied, ref.offset - copied);
        std::string error;
        auto value = lookup(lab, ref, instance, error);
        if (!value) {
            result.error =
                "unresolved reference `${" + ref.scope + "." + ref.field + "}`: " + error;
            return result;
        }
        result.value += *value;
        copied = ref.offset + ref.length;
    }
    result.value += text.substr(copied);
    return result;
}

}  // namespace labctl::topo

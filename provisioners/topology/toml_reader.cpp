#include "topology/toml_reader.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace labctl::topo {

Pos pos_of(const toml::source_region& region) {
    return Pos{static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

Pos pos_of(const toml::node& node) {
    return pos_of(node.source());
}

std::string type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        default:
            return "nothing";
    }
}

TomlReader::TomlReader(const toml::table& table, std::string what, Diagnostics& diagnostics)
    : table_(table), what_(std::move(what)), diagnostics_(diagnostics) {}

const toml::node* TomlReader::get(std::string_view key) {
    known_.emplace(key);
    return table_.get(key);
}

Pos TomlReader::key_pos(std::string_view key) const {
    auto it = table_.find(key);
    return it == table_.end() ? pos_of(table_) : pos_of(it->first.source());
}

Pos TomlReader::value_pos(std::string_view key) const {
    auto node = table_.get(key);
    return node ? pos_of(*node) : pos_of(table_);
}

void TomlReader::wrong_type(std::string_view key, const toml::node& node,
                            std::string_view expected) {
    diagnostics_.error(pos_of(node), "wrong type: `" + std::string(key) + "` in " + what_ +
                                         " must be " + std::string(expected) + ", not " +
                                         type_name(node));
}

std::optional<std::string> TomlReader::string(std::string_view key) {
    auto node = get(key);
    if (!node) return std::nullopt;
    if (auto value = node->value<std::string>(); value && node->is_string()) return *value;
    wrong_type(key, *node, "a string");
    return std::nullopt;
}

std::optional<std::int64_t> TomlReader::integer(std::string_view key, IntRange range) {
    auto node = get(key);
    if (!node) return std::nullopt;
    if (!node->is_integer()) {
        wrong_type(key, *node, "an integer");
        return std::nullopt;
    }
    auto value = node->as_integer()->get();
    if (value < range.min || value > range.max) {
        diagnostics_.error(pos_of(*node), std::string("`").append(key) + "` in " + what_ + " is " +
                                              std::to_string(value) + ", outside " +
                                              std::to_string(range.min) + ".." +
                                              std::to_string(range.max));
        return std::nullopt;
    }
    return value;
}

std::optional<bool> TomlReader::boolean(std::string_view key) {
    auto node = get(key);
    if (!node) return std::nullopt;
    if (!node->is_boolean()) {
        wrong_type(key, *node, "true or false");
        return std::nullopt;
    }
    return node->as_boolean()->get();
}

std::optional<std::vector<Located<std::string>>> TomlReader::string_list(std::string_view key) {
    auto node = get(key);
    if (!node) return std::nullopt;
    std::vector<Located<std::string>> out;
    if (node->is_string()) {
        out.push_back({node->as_string()->get(), pos_of(*node)});
        return out;
    }
    if (!node->is_array()) {
        wrong_type(key, *node, "a string or an array of strings");
        return std::nullopt;
    }
    bool ok = true;
    for (const auto& element : *node->as_array()) {
        if (!element.is_string()) {
            wrong_type(key, element, "a string or an array of strings");
            ok = false;
            continue;
        }
        out.push_back({element.as_string()->get(), pos_of(element)});
    }
    if (!ok) return std::nullopt;
    return out;
}

const toml::table* TomlReader::subtable(std::string_view key) {
    auto node = get(key);
    if (!node) return nullptr;
    if (!node->is_table()) {
        wrong_type(key, *node, "a table");
        return nullptr;
    }
    return node->as_table();
}

void TomlReader::finish(const std::vector<std::string>& also_known) {
    std::vector<std::string> candidates(known_.begin(), known_.end());
    candidates.insert(candidates.end(), also_known.begin(), also_known.end());
    for (auto [key, node] : in_file_order(table_)) {
        const std::string name(key->str());
        if (known_.count(name) ||
            std::find(also_known.begin(), also_known.end(), name) != also_known.end())
            continue;
        auto hint = util::closest_match(name, candidates);
        diagnostics_.error(pos_of(key->source()),
                           "unknown key `" + name + "` in " + what_ +
                               (hint.empty() ? "" : " (did you mean `" + hint + "`?)"));
    }
}

std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(
    const toml::table& table) {
    std::vector<std::pair<const toml::key*, const toml::node*>> entries;
    for (const auto& [key, node] : table) entries.emplace_back(&key, &node);
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return pos_of(a.first->source()) < pos_of(b.first->source());
    });
    return entries;
}

bool is_valid_name(std::string_view name) {
    if (name.empty() || name.size() > 31 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

}  // namespace labctl::topo

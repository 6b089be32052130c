#include "topology/check_loader.hpp"

#include <algorithm>
#include <array>

#include "topology/toml_reader.hpp"
#include "util/search_pattern.hpp"
#include "util/strings.hpp"

namespace labctl::topo {

namespace {

struct KindKeys {
    ProbeKind kind;
    const char* probe;             // the probe key naming the kind
    std::vector<std::string> own;  // keys only this kind reads
};

const std::array<KindKeys, 5>& kinds_keys() {
    static const std::array<KindKeys, 5> table{{
        {ProbeKind::http, "http", {"path", "expect_status", "expect_body"}},
        {ProbeKind::tcp, "tcp", {}},
        {ProbeKind::command, "command", {"on", "expect_output", "expect_output_sha256"}},
        {ProbeKind::relay, "relay", {"post", "read"}},
        {ProbeKind::failover, "failover", {"mode", "max_failed", "max_seconds"}},
    }};
    return table;
}

const KindKeys* kind_of_key(std::string_view key) {
    for (const auto& kind : kinds_keys())
        if (key == kind.probe) return &kind;
    return nullptr;
}

// Which kind owns KEY when it is one of the kind-specific keys.
const KindKeys* owner_of_key(std::string_view key) {
    for (const auto& kind : kinds_keys())
        if (std::find(kind.own.begin(), kind.own.end(), key) != kind.own.end()) return &kind;
    return nullptr;
}

std::vector<std::string> every_check_key() {
    std::vector<std::string> keys{"name", "points"};
    for (const auto& kind : kinds_keys()) {
        keys.push_back(kind.probe);
        keys.insert(keys.end(), kind.own.begin(), kind.own.end());
    }
    return keys;
}

bool is_hex_sha256(std::string_view text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c));
           });
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return text;
}

class CheckLoader {
  public:
    CheckLoader(const toml::table& table, Diagnostics& diagnostics)
        : reader_(table, "[[checks]]", diagnostics), diagnostics_(diagnostics) {}

    std::optional<DeclaredCheck> load() {
        DeclaredCheck check;
        check.pos = reader_.pos();
        if (auto name = reader_.string("name")) {
            if (util::trim(*name).empty() || !util::is_printable_line(*name))
                diagnostics_.error(reader_.value_pos("name"),
                                   "a check's `name` must be one line of text");
            check.name = *name;
        } else if (!reader_.table().contains("name")) {
            diagnostics_.error(
                check.pos, "missing key `name` in [[checks]] (what the check proves, in words)");
        }
        const KindKeys* kind = probe_kind();
        if (kind) {
            check.kind = kind->kind;
            read_probe(check, *kind);
        }
        if (auto points = reader_.integer("points", {0, 1000}))
            check.points = static_cast<int>(*points);
        report_misplaced_keys(kind);
        reader_.finish(every_check_key());
        if (!kind) return std::nullopt;
        return check;
    }

  private:
    // The one probe key; a second one is an error at the second.
    const KindKeys* probe_kind() {
        const KindKeys* found = nullptr;
        for (auto [key, node] : in_file_order(reader_.table())) {
            const auto* kind = kind_of_key(key->str());
            if (!kind) continue;
            if (found) {
                diagnostics_.error(pos_of(key->source()), "check has two probe keys, `" +
                                                              std::string(found->probe) +
                                                              "` and `" + std::string(kind->probe) +
                                                              "`: a check has exactly one");
                continue;
            }
            found = kind;
        }
        if (!found)
            diagnostics_.error(
                reader_.pos(),
                "missing probe key in [[checks]]: one of http, tcp, command, relay, failover");
        return found;
    }

    void report_misplaced_keys(const KindKeys* kind) {
        for (auto [key, node] : in_file_order(reader_.table())) {
            const auto* owner = owner_of_key(key->str());
            if (!owner || owner == kind) continue;
            reader_.get(key->str());  // not an unknown key
            // Without a probe key that error is the one to fix; which keys fit follows from it.
            if (kind)
                diagnostics_.error(pos_of(key->source()),
                                   "`" + std::string(key->str()) + "` belongs to " + owner->probe +
                                       " checks, not to " +
                                       (kind->kind == ProbeKind::http ? "an " : "a ") +
                                       kind->probe + " check");
        }
    }

    std::optional<std::string> regex(std::string_view key) {
        auto text = reader_.string(key);
        if (!text) return std::nullopt;
        std::string why;
        if (!util::SearchPattern::compile(*text, why)) {
            diagnostics_.error(reader_.value_pos(key),
                               "bad regular expression in `" + std::string(key) + "`: " + why);
            return std::nullopt;
        }
        return text;
    }

    std::optional<std::string> url_path(std::string_view key) {
        auto text = reader_.string(key);
        if (!text) return std::nullopt;
        if (!util::is_safe_url_path(*text)) {
            diagnostics_.error(reader_.value_pos(key),
                               "`" + std::string(key) + "` must be an HTTP path such as \"/\"");
            return std::nullopt;
        }
        return text;
    }

    void read_probe(DeclaredCheck& check, const KindKeys& kind) {
        std::string probe = kind.probe;
        if (kind.kind == ProbeKind::command) {
            read_command(check);
        } else if (auto target = reader_.string(probe)) {
            check.target = {*target, reader_.value_pos(probe)};
        }
        switch (kind.kind) {
            case ProbeKind::http:
                if (auto path = url_path("path")) check.path = *path;
                if (auto status = reader_.integer("expect_status", {100, 599}))
                    check.expect_status = static_cast<int>(*status);
                if (auto body = regex("expect_body")) check.expect_body = *body;
                break;
            case ProbeKind::tcp:
                break;
            case ProbeKind::command:
                if (auto on = reader_.string("on"))
                    check.on = {*on, reader_.value_pos("on")};
                else if (!reader_.table().contains("on"))
                    diagnostics_.error(reader_.pos(),
                                       "missing key `on` in a command check (the node it runs on)");
                if (auto output = regex("expect_output")) check.expect_output = *output;
                if (auto sha = reader_.string("expect_output_sha256")) {
                    if (is_hex_sha256(*sha))
                        check.expect_output_sha256 = lower(*sha);
                    else
                        diagnostics_.error(reader_.value_pos("expect_output_sha256"),
                                           "`expect_output_sha256` must be 64 hex digits (the "
                                           "SHA-256 of the trimmed output)");
                }
                break;
            case ProbeKind::relay:
                for (const char* key : {"post", "read"}) {
                    auto path = url_path(key);
                    if (path)
                        (std::string_view(key) == "post" ? check.post : check.read) = *path;
                    else if (!reader_.table().contains(key))
                        diagnostics_.error(
                            reader_.pos(),
                            std::string("missing key `") + key + "` in a relay check (the app's " +
                                (std::string_view(key) == "post" ? "path to POST a message to"
                                                                 : "path to read messages from") +
                                ")");
                }
                break;
            case ProbeKind::failover:
                if (auto mode = reader_.string("mode")) {
                    if (*mode == "process" || *mode == "poweroff" || *mode == "link-down")
                        check.mode = *mode;
                    else
                        diagnostics_.error(
                            reader_.value_pos("mode"),
                            "unknown mode `" + *mode + "` (known: process, poweroff, link-down)");
                }
                if (auto failed = reader_.integer("max_failed", {0, 1000000}))
                    check.max_failed = static_cast<int>(*failed);
                read_max_seconds(check);
                break;
        }
    }

    void read_command(DeclaredCheck& check) {
        const auto* node = reader_.get("command");
        bool ok = node->is_array() && !node->as_array()->empty();
        if (ok)
            for (const auto& element : *node->as_array()) ok &= element.is_string();
        if (!ok) {
            diagnostics_.error(pos_of(*node),
                               "`command` must be a non-empty array of strings (the argv to run)");
            return;
        }
        for (const auto& element : *node->as_array())
            check.command.push_back(element.as_string()->get());
    }

    void read_max_seconds(DeclaredCheck& check) {
        const auto* node = reader_.get("max_seconds");
        if (!node) return;
        std::optional<double> value;
        if (node->is_floating_point())
            value = node->as_floating_point()->get();
        else if (node->is_integer())
            value = static_cast<double>(node->as_integer()->get());
        if (!value || !(*value > 0) || *value > 3600)
            diagnostics_.error(
                pos_of(*node),
                "`max_seconds` must be a number of seconds above 0 and at most 3600");
        else
            check.max_seconds = value;
    }

    TomlReader reader_;
    Diagnostics& diagnostics_;
};

}  // namespace

void load_checks(const toml::node& checks, Lab& lab, Diagnostics& diagnostics) {
    const auto* array = checks.as_array();
    if (!array || (!array->empty() && !array->is_array_of_tables())) {
        diagnostics.error(
            pos_of(checks),
            "wrong type: `checks` must be an array of tables, written [[checks]], not " +
                type_name(checks));
        return;
    }
    for (const auto& element : *array) {
        auto check = CheckLoader(*element.as_table(), diagnostics).load();
        if (!check) continue;
        for (const auto& earlier : lab.checks)
            if (!check->name.empty() && earlier.name == check->name)
                diagnostics.error(check->pos, "two checks are named `" + check->name +
                                                  "`: names tell checks apart");
        lab.checks.push_back(std::move(*check));
    }
}

}  // namespace labctl::topo

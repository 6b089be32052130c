// Typed, position-aware reading of one TOML table. Every key read is marked as known;
// finish() reports the rest as unknown keys with a "did you mean" hint. Type errors are
// reported at the value and the read returns nullopt, so loading goes on and every error
// of the file is collected in one pass.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "topology/diagnostics.hpp"
#include "topology/model.hpp"

namespace labctl::topo {

Pos pos_of(const toml::source_region& region);
Pos pos_of(const toml::node& node);
std::string type_name(const toml::node& node);

struct IntRange {
    std::int64_t min;
    std::int64_t max;
};

class TomlReader {
  public:
    // WHAT names the table in messages, e.g. "[nodes.server1]".
    TomlReader(const toml::table& table, std::string what, Diagnostics& diagnostics);

    const toml::table& table() const { return table_; }
    const std::string& what() const { return what_; }
    Diagnostics& diagnostics() { return diagnostics_; }
    Pos pos() const { return pos_of(table_); }

    // Marks KEY as known; returns its node or nullptr when absent.
    const toml::node* get(std::string_view key);
    Pos key_pos(std::string_view key) const;
    Pos value_pos(std::string_view key) const;

    std::optional<std::string> string(std::string_view key);
    std::optional<std::int64_t> integer(std::string_view key, IntRange range);
    std::optional<bool> boolean(std::string_view key);
    // A string or an array of strings, each with its position.
    std::optional<std::vector<Located<std::string>>> string_list(std::string_view key);
    const toml::table* subtable(std::string_view key);

    void wrong_type(std::string_view key, const toml::node& node, std::string_view expected);
    // Reports every key never read. KNOWN extends the keys read, for hints.
    void finish(const std::vector<std::string>& also_known = {});

  private:
    const toml::table& table_;
    std::string what_;
    Diagnostics& diagnostics_;
    std::set<std::string, std::less<>> known_;
};

// Entries of a table in the order they appear in the file (toml++ keeps them sorted).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& table);

bool is_valid_name(std::string_view name);
inline constexpr const char* name_rule = "^[a-z][a-z0-9-]{0,30}$";

}  // namespace labctl::topo

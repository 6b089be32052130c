// Reading and checking helpers the service kinds share.
#pragma once

#include <optional>
#include <string>

#include "render/template_set.hpp"
#include "topology/model.hpp"
#include "topology/toml_reader.hpp"
#include "util/strings.hpp"

namespace labctl::kinds {

inline constexpr topo::IntRange port_range{1, 65535};

// "500ms", "5s", "2m", "1h", or an integer number of seconds.
// WHOLE_SECONDS refuses "ms": nginx reads some durations (fail_timeout) in whole seconds.
std::optional<topo::Duration> read_duration(topo::TomlReader& reader, std::string_view key,
                                            bool whole_seconds = false);

// A value that goes into a config line: printable, no newline or other control character.
bool is_printable_line(std::string_view text);
// An absolute path made of [A-Za-z0-9._/-] with no `..` component.
bool is_safe_absolute_path(std::string_view path);
// An HTTP path: starts with '/', URL-safe characters only.
bool is_safe_url_path(std::string_view path);
bool is_env_name(std::string_view name);

// Keys every template gets: lab, service, node, generator banner.
render::Data header_data(const topo::Lab& lab, const topo::Service& service, const topo::Node& node);

// Identifier-safe form of a name for nginx variables and zones: '-' becomes '_'.
std::string identifier(std::string_view name);

}  // namespace labctl::kinds

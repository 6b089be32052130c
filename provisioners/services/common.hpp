// Reading and rendering helpers the service types share.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "render/template_set.hpp"
#include "topology/diagnostics.hpp"
#include "topology/model.hpp"
#include "topology/toml_reader.hpp"
#include "util/strings.hpp"

namespace labctl::services {

inline constexpr topo::IntRange port_range{1, 65535};

// The value checks every type uses (domain-free, in util/strings.hpp).
using util::is_env_name;
using util::is_printable_line;
using util::is_safe_absolute_path;
using util::is_safe_url_path;

// "500ms", "5s", "2m", "1h", or an integer number of seconds.
// WHOLE_SECONDS refuses "ms": nginx reads some durations (fail_timeout) in whole seconds.
std::optional<topo::Duration> read_duration(topo::TomlReader& reader, std::string_view key,
                                            bool whole_seconds = false);

// An environment variable a service passes to what it runs (an app's unit, a container).
struct EnvVar {
    std::string name;
    std::string value;  // may hold ${...} references
    topo::Pos pos;
};

// Reads `env = { NAME = value }`: names checked, strings, integers and booleans as text, one
// printable line each.
std::vector<EnvVar> read_env(topo::TomlReader& reader);

// A primary and its replicas (MariaDB, Redis).
struct PrimaryReplicas {
    topo::Located<std::string> primary;
    std::vector<topo::Located<std::string>> replicas;
};

// Reads `primary` and `replicas`, or `on` standing in for them (its first node the primary),
// reports a missing primary (WHAT names it: "the MariaDB primary"), a node listed twice and an
// `on` that disagrees, and sets SERVICE.on to the primary then the replicas.
PrimaryReplicas read_primary_replicas(topo::TomlReader& reader, topo::Service& service,
                                      std::string_view what);

// Reports each replica that shares no network with the primary.
void check_replicas_reach_primary(const topo::Lab& lab, const PrimaryReplicas& placement,
                                  topo::Diagnostics& diagnostics);

// Keys every template gets: lab, service, node, generator banner.
render::Data header_data(const topo::Lab& lab, const topo::Service& service,
                         const topo::Node& node);

// The form of a service name in environment variable names: upper case, '-' becomes '_'.
std::string secret_id(std::string_view service);

// Identifier-safe form of a name for nginx variables and zones: '-' becomes '_'.
std::string identifier(std::string_view name);

}  // namespace labctl::services

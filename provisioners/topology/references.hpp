// `${SERVICE.address}`-style references inside env values and run commands. They resolve
// per instance, since an address depends on which node asks for it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "topology/model.hpp"

namespace labctl::topo {

struct Reference {
    std::string scope;       // a service name, or "node", "instance", "lab"
    std::string field;       // address, port, stomp_port, name, ...
    std::size_t offset = 0;  // of "${" in the text
    std::size_t length = 0;
};

struct ReferenceParse {
    std::vector<Reference> references;
    std::string error;  // non-empty: malformed text
};

ReferenceParse parse_references(std::string_view text);

struct Resolution {
    std::string value;
    std::string error;  // non-empty when some reference cannot be resolved
};

// Resolves every reference in TEXT as seen by INSTANCE.
Resolution resolve_references(const Lab& lab, std::string_view text, const Instance& instance);

}  // namespace labctl::topo

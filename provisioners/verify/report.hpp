// The result of `labctl verify`: named checks, each passed or failed with its time and a
// detail, printed as ✓/✗ lines for people and as the JSON of SPEC.md for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "services/service_kind.hpp"

namespace labctl::verify {

// One named check, passed or failed ("reach server1->server2 hostonly").
using Check = services::CheckResult;

struct Report {
    std::vector<Check> checks;

    bool ok() const;
    std::size_t failed() const;
    nlohmann::json to_json() const;
    // One line per check: "✓ name  (0.01s)  detail"; COLOR adds green/red.
    void print(std::ostream& out, bool color) const;
};

}  // namespace labctl::verify

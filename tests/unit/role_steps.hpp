// A role's report as "step:outcome" strings, to compare whole pipelines in one EXPECT_EQ.
#pragma once

#include <string>
#include <vector>

#include "services/role.hpp"

namespace labctl::test {

inline std::vector<std::string> step_names(const services::RoleReport& report) {
    std::vector<std::string> names;
    for (const auto& step : report.steps)
        names.push_back(step.step +
                        (step.outcome == services::Outcome::changed ? ":changed" : ":ok"));
    return names;
}

}  // namespace labctl::test

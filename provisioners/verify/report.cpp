#include "verify/report.hpp"

#include <fmt/format.h>

namespace labctl::verify {

bool Report::ok() const {
    return failed() == 0;
}

std::size_t Report::failed() const {
    std::size_t count = 0;
    for (const auto& check : checks) count += check.ok || !check.required ? 0 : 1;
    return count;
}

nlohmann::json Report::to_json() const {
    nlohmann::json checks_json = nlohmann::json::array();
    for (const auto& check : checks)
        checks_json.push_back({{"name", check.name},
                               {"ok", check.ok},
                               {"seconds", check.seconds},
                               {"detail", check.detail},
                               {"required", check.required}});
    return {{"ok", ok()}, {"checks", checks_json}};
}

void Report::print(std::ostream& out, bool color) const {
    std::size_t width = 0;
    for (const auto& check : checks) width = std::max(width, check.name.size());
    for (const auto& check : checks) {
        // A failed check that is not required (a service left to the student) is expected.
        bool expected = !check.ok && !check.required;
        std::string mark = check.ok ? "✓" : expected ? "○" : "✗";
        if (color)
            mark = (check.ok ? "\033[32m" : expected ? "\033[33m" : "\033[31m") + mark + "\033[0m";
        out << fmt::format("{} {:<{}}  {:>6.2f}s", mark, check.name, width, check.seconds);
        if (!check.detail.empty()) out << "  " << check.detail;
        out << "\n";
    }
    std::size_t expected = 0;
    for (const auto& check : checks) expected += !check.ok && !check.required ? 1 : 0;
    out << fmt::format("{} of {} checks passed", checks.size() - failed() - expected,
                       checks.size());
    if (expected > 0) out << fmt::format(", {} expected to fail (not provisioned)", expected);
    out << "\n";
}

}  // namespace labctl::verify

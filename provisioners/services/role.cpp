#include "services/role.hpp"

#include <algorithm>

namespace labctl::services {

bool RoleReport::changed() const {
    return changed_steps() > 0;
}

int RoleReport::changed_steps() const {
    return static_cast<int>(std::count_if(steps.begin(), steps.end(), [](const StepResult& s) {
        return s.outcome == Outcome::changed;
    }));
}

}  // namespace labctl::services

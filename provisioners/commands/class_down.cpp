// `labctl class down`: every student's copy removed by the ordinary `down` (its libvirt objects
// found by their tags), and nothing else: not the course's own lab, not another lab whose
// name merely starts like a copy's. A student whose copy is gone leaves the class record.
#include <fmt/format.h>

#include "commands/class_commands.hpp"
#include "commands/class_support.hpp"
#include "commands/lab_commands.hpp"
#include "engine/lab_state.hpp"
#include "store/paths.hpp"
#include "util/stamp.hpp"

namespace labctl::commands {

int run_class_down(const GlobalOptions& global, const ClassDownOptions& options,
                   std::ostream& out) {
    auto base = load_class_lab(global, "down");
    auto base_state = store::lab_state_dir(base.lab.name);
    engine::LabLock lock(base_state, base.lab.name, "class down");
    auto students = load_class_record(base_state);
    util::Reporter progress(out, global.verbosity);
    if (students.empty()) {
        out << "nothing to remove: class " << base.lab.name << " has no students' copies\n";
        return 0;
    }
    auto start = std::chrono::steady_clock::now();
    auto outcomes =
        for_each_copy(global, students, options.jobs, progress,
                      [](const ClassStudent&, const GlobalOptions& copy, std::ostream& copy_out) {
                          return run_down(copy, DownOptions{}, copy_out);
                      });
    std::vector<ClassStudent> left;
    for (std::size_t k = 0; k < students.size(); ++k)
        if (outcomes[k].code != 0) left.push_back(students[k]);
    save_class_record(base_state, left);
    progress.step(fmt::format("class {}: {} of {} copies removed in {:.1f}s", base.lab.name,
                              students.size() - left.size(), students.size(),
                              util::seconds_since(start)));
    return worst_code(outcomes);
}

}  // namespace labctl::commands

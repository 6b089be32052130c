// `labctl class reset ID`: that student's copy rebuilt from scratch (`down` then `up` of the
// copy), so a student who broke it starts over; the other copies are not touched.
#include "commands/class_commands.hpp"
#include "commands/class_support.hpp"
#include "commands/lab_commands.hpp"
#include "engine/lab_state.hpp"
#include "labfile/class_copy.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::commands {

int run_class_reset(const GlobalOptions& global, const ClassResetOptions& options,
                    std::ostream& out) {
    auto base = load_class_lab(global, "reset");
    labfile::student_lab_name(base, options.student);  // a bad id is exit 2 first
    auto base_state = store::lab_state_dir(base.lab.name);
    engine::LabLock lock(base_state, base.lab.name, "class reset");
    auto students = load_class_record(base_state);
    std::vector<std::string> known;
    for (const auto& student : students) known.push_back(student.id);
    if (std::find(known.begin(), known.end(), options.student) == known.end())
        throw InputError("student `" + options.student + "` is not in class " + base.lab.name +
                         (known.empty() ? std::string(" (no copy yet: run `labctl class up`)")
                                        : " (students: " + util::join(known, ", ") + ")"));
    auto copy = for_student(global, options.student);
    util::Reporter progress(out, global.verbosity);
    progress.step("class " + base.lab.name + ": resetting the copy of " + options.student);
    run_down(copy, DownOptions{}, out);
    return run_up(copy, UpOptions{}, out);
}

}  // namespace labctl::commands

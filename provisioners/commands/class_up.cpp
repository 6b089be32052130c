// `labctl class up`: one copy of the lab per student, each an ordinary `up` with --student,
// several at once. The students are recorded before any copy is built, so `class check` and
// `class down` know them even after an interrupted run. A class across [hosts] spreads the
// copies over the hosts by free memory, each copy whole on one host (recorded with the
// student, so every later command and `class reset` finds it there).
#include <fmt/format.h>

#include "commands/class_commands.hpp"
#include "commands/class_record.hpp"
#include "commands/class_support.hpp"
#include "commands/lab_commands.hpp"
#include "engine/host_set.hpp"
#include "engine/lab_hosts.hpp"
#include "engine/lab_state.hpp"
#include "labfile/class_copy.hpp"
#include "labfile/roster.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/stamp.hpp"

namespace labctl::commands {

namespace {

std::vector<std::string> requested_ids(const topo::Lab& base, const ClassUpOptions& options) {
    if (!options.roster.empty() && options.students > 0)
        throw InputError("--students and --roster: give one of them");
    if (!options.roster.empty()) return labfile::read_roster(options.roster);
    if (options.students > 0)
        return labfile::default_student_ids(static_cast<std::size_t>(options.students));
    if (auto roster = class_roster_path(base); !roster.empty()) return labfile::read_roster(roster);
    throw InputError(
        "class up: how many students? give --students N or --roster FILE, or "
        "`students = \"roster.csv\"` in [class]");
}

// Gives each of SELECTED's copies that has no host and is not up yet (a copy up before keeps
// the placement its record has) the host engine::place_copies picks; reported.
void place_new_copies(const topo::Lab& base, std::vector<ClassStudent>& students,
                      const std::vector<std::string>& selected, util::Reporter& progress) {
    if (base.hosts.empty()) return;
    std::vector<ClassStudent*> placing;
    for (auto& student : students)
        if (student.host.empty() &&
            std::find(selected.begin(), selected.end(), student.id) != selected.end() &&
            !engine::load_record(store::lab_state_dir(labfile::student_lab_name(base, student.id))))
            placing.push_back(&student);
    if (placing.empty()) return;
    auto hosts = engine::open_hosts(engine::lab_hosts(base), {}, false);
    std::vector<std::optional<unsigned long long>> free;
    for (const auto& host : hosts) free.push_back(host.connection->free_memory_bytes());
    auto placed = engine::place_copies(base, free, placing.size());
    for (std::size_t k = 0; k < placing.size(); ++k) {
        placing[k]->host = placed[k];
        progress.step("class " + base.lab.name + ": copy of " + placing[k]->id + " on host " +
                      placed[k]);
    }
}

}  // namespace

int run_class_up(const GlobalOptions& global, const ClassUpOptions& options, std::ostream& out) {
    auto base = load_class_lab(global, "up");
    auto ids = requested_ids(base, options);
    auto base_state = store::lab_state_dir(base.lab.name);
    engine::LabLock lock(base_state, base.lab.name, "class up");
    auto students = enroll(load_class_record(base_state), ids);
    // Every copy is derived before anything is recorded or built: a bad id or a pool too small
    // is exit 2 with nothing done.
    std::vector<ClassStudent> selected;
    for (const auto& student : students)
        if (std::find(ids.begin(), ids.end(), student.id) != ids.end()) {
            labfile::student_copy(base, student.id, student.index);
            selected.push_back(student);
        }
    util::Reporter progress(out, global.verbosity);
    place_new_copies(base, students, ids, progress);
    save_class_record(base_state, students);

    progress.step(
        fmt::format("class {}: {} cop{} of the lab, {} at once", base.lab.name, selected.size(),
                    selected.size() == 1 ? "y" : "ies",
                    std::min<std::size_t>(selected.size(), options.jobs > 0 ? options.jobs : 4)));
    auto start = std::chrono::steady_clock::now();
    auto outcomes =
        for_each_copy(global, selected, options.jobs, progress,
                      [](const ClassStudent&, const GlobalOptions& copy, std::ostream& copy_out) {
                          return run_up(copy, UpOptions{}, copy_out);
                      });
    std::size_t ok = 0;
    for (const auto& outcome : outcomes) ok += outcome.code == 0 ? 1 : 0;
    progress.step(fmt::format("class {}: {} of {} copies up and verified in {:.1f}s", base.lab.name,
                              ok, selected.size(), util::seconds_since(start)));
    for (std::size_t k = 0; k < selected.size(); ++k)
        if (outcomes[k].code != 0)
            out << fmt::format("  {}  exit {}{}\n", selected[k].id, outcomes[k].code,
                               outcomes[k].error.empty() ? "" : ": " + outcomes[k].error);
    return worst_code(outcomes);
}

}  // namespace labctl::commands

// `labctl class check`: the lab's declared checks in every student's copy, as `labctl check`
// runs them in one, gathered into a gradebook (a table, CSV with -o, JSON with --json).
#include <fmt/format.h>

#include "commands/check_run.hpp"
#include "commands/class_commands.hpp"
#include "commands/class_support.hpp"
#include "commands/gradebook.hpp"
#include "commands/lab_loading.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/stamp.hpp"

namespace labctl::commands {

int run_class_check(const GlobalOptions& global, const ClassCheckOptions& options,
                    std::ostream& out) {
    auto base = load_class_lab(global, "check");
    auto students = load_class_record(store::lab_state_dir(base.lab.name));
    if (students.empty())
        throw InputError("class " + base.lab.name +
                         " has no students yet: run `labctl class up --students N` first");
    if (base.checks.empty())
        throw InputError(global.file + ": lab " + base.lab.name +
                         " declares no [[checks]]: there is nothing to grade");

    Gradebook book;
    for (const auto& declared : base.checks)
        book.columns.push_back({declared.name, declared.points});
    book.rows.resize(students.size());
    // With --json stdout is the JSON alone; progress then stays quiet.
    util::Reporter progress(out, options.json ? -1 : global.verbosity);
    auto outcomes = for_each_copy(
        global, students, options.jobs, progress,
        [&](const ClassStudent& student, const GlobalOptions& copy, std::ostream&) {
            auto& row = book.rows[static_cast<std::size_t>(&student - students.data())];
            row.student = student.id;
            row.when = util::utc_now();
            auto lab = load_lab(copy);
            row.lab = lab.lab.name;
            row.report = run_lab_checks(copy, lab, 0);
            progress.step(fmt::format("{}: {} of {} points", student.id, row.report.points(),
                                      row.report.points_possible()));
            return 0;
        });
    bool all_graded = true;
    for (std::size_t k = 0; k < students.size(); ++k) {
        book.rows[k].student = students[k].id;
        if (!outcomes[k].error.empty()) {
            book.rows[k].error = outcomes[k].error;
            all_graded = false;
        }
    }
    if (!options.out_file.empty()) util::write_file_atomic(options.out_file, book.csv(), 0644);
    if (options.json)
        out << book.to_json().dump(2) << "\n";
    else {
        book.print(out);
        if (!options.out_file.empty()) out << "gradebook written to " << options.out_file << "\n";
    }
    return all_graded ? 0 : 1;
}

}  // namespace labctl::commands

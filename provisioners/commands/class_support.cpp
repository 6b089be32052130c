#include "commands/class_support.hpp"

#include <algorithm>
#include <exception>

#include "labfile/loader.hpp"
#include "util/error.hpp"
#include "util/line_forwarder.hpp"
#include "util/parallel.hpp"

namespace labctl::commands {

namespace {
constexpr int default_jobs = 4;

int severity(int code) {
    switch (static_cast<ExitCode>(code)) {
        case ExitCode::ok:
            return 0;
        case ExitCode::verify_failed:
            return 1;
        case ExitCode::invalid_input:
            return 2;
        case ExitCode::infrastructure:
            return 3;
        case ExitCode::locked:
            return 4;
        case ExitCode::interrupted:
            return 5;
    }
    return 3;
}
}  // namespace

topo::Lab load_class_lab(const GlobalOptions& global, const std::string& verb) {
    if (!global.student.empty())
        throw InputError(
            "--student " + global.student + " with `class " + verb +
            "`: class verbs act on every student's copy; for one copy use "
            "`labctl --student " +
            global.student + " COMMAND`" +
            (verb == "reset" ? " or `labctl class reset " + global.student + "`" : std::string()));
    auto lab = labfile::load_lab_or_throw(global.file);
    if (!lab.class_info)
        throw InputError(global.file + ": lab " + lab.lab.name +
                         " has no [class] section; add one (pool = \"10.200.0.0/16\") to run "
                         "`labctl class " +
                         verb + "`");
    return lab;
}

GlobalOptions for_student(const GlobalOptions& global, const std::string& student) {
    GlobalOptions copy = global;
    copy.student = student;
    return copy;
}

std::vector<CopyOutcome> for_each_copy(const GlobalOptions& global,
                                       const std::vector<ClassStudent>& students, int jobs,
                                       util::Reporter& progress, const CopyCommand& fn) {
    std::vector<CopyOutcome> outcomes(students.size());
    std::vector<std::exception_ptr> interruptions(students.size());
    std::size_t width = util::jobs_or(jobs, default_jobs);
    util::parallel_for(students.size(), width, [&](std::size_t k) {
        const auto& student = students[k];
        util::ForwardingStream out(progress, student.id + " | ");
        try {
            outcomes[k].code = fn(student, for_student(global, student.id), out);
        } catch (const InterruptedError&) {
            outcomes[k] = {static_cast<int>(ExitCode::interrupted), "interrupted"};
            interruptions[k] = std::current_exception();
        } catch (const LabError& error) {
            std::string where;
            if (!error.node().empty()) where += "node " + error.node() + ": ";
            if (!error.step().empty()) where += "step " + error.step() + ": ";
            outcomes[k] = {static_cast<int>(error.code()), where + error.what()};
        } catch (const std::exception& error) {
            outcomes[k] = {static_cast<int>(ExitCode::infrastructure), error.what()};
        }
        if (!outcomes[k].error.empty()) progress.warning(student.id + ": " + outcomes[k].error);
    });
    for (const auto& interruption : interruptions)
        if (interruption) std::rethrow_exception(interruption);
    return outcomes;
}

int worst_code(const std::vector<CopyOutcome>& outcomes) {
    int worst = 0;
    for (const auto& outcome : outcomes)
        if (severity(outcome.code) > severity(worst)) worst = outcome.code;
    return worst;
}

}  // namespace labctl::commands

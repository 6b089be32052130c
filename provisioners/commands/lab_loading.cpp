#include "commands/lab_loading.hpp"

#include "commands/class_record.hpp"
#include "labfile/class_copy.hpp"
#include "labfile/loader.hpp"
#include "util/error.hpp"

namespace labctl::commands {

topo::Lab load_lab(const GlobalOptions& global) {
    auto lab = labfile::load_lab_or_throw(global.file);
    if (global.student.empty()) return lab;
    if (!lab.class_info)
        throw InputError("--student " + global.student + ": " + global.file +
                         " has no [class] section, so it has no students' copies");
    labfile::student_lab_name(lab, global.student);  // a bad id is exit 2 before anything else
    auto copy = labfile::student_copy(lab, global.student, student_index(lab, global.student));
    // A class across hosts: the copy runs whole on the host `class up` gave it.
    if (auto host = student_host(lab, global.student); !host.empty())
        for (auto& node : copy.nodes)
            if (node.host.empty()) node.host = host;
    return copy;
}

}  // namespace labctl::commands

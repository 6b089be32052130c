// Which students' copies a class has: `class.json` in the base lab's state dir, written by
// `class up` before any copy is built (so `class check`, `class down` and `--student` know
// them even after an interrupted `class up`). Each student keeps the block of the pool it was
// given first: adding students never moves a running copy.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "topology/model.hpp"

namespace labctl::commands {

struct ClassStudent {
    std::string id;
    std::size_t index = 0;  // which block of [class] pool its networks are carved from
    // A class across [hosts]: the host its copy runs on (placed once, at its first `class up`;
    // labfile's copy gives it to every node without a `host`). "" on one host.
    std::string host;
    friend bool operator==(const ClassStudent&, const ClassStudent&) = default;
};

std::vector<ClassStudent> load_class_record(const std::filesystem::path& base_state_dir);
// Atomic, 0600; an empty list removes the record.
void save_class_record(const std::filesystem::path& base_state_dir,
                       const std::vector<ClassStudent>& students);

// STUDENTS plus every id of IDS not among them yet, each on the lowest block no one holds.
std::vector<ClassStudent> enroll(std::vector<ClassStudent> students,
                                 const std::vector<std::string>& ids);

// The roster [class] students names, relative to the lab file; "" when it names none.
std::string class_roster_path(const topo::Lab& base);

// The host recorded for student ID's copy of BASE ("" when none, or when BASE's [hosts] no
// longer has it).
std::string student_host(const topo::Lab& base, const std::string& id);

// The block of student ID of BASE: the recorded one; before any `class up`, its place in the
// roster of [class] students, or N-1 for a default id sN. InputError when it is none of these.
std::size_t student_index(const topo::Lab& base, const std::string& id);

}  // namespace labctl::commands

#include "commands/class_record.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "labfile/roster.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace labctl::commands {

namespace {

std::filesystem::path class_path(const std::filesystem::path& base_state_dir) {
    return base_state_dir / "class.json";
}

}  // namespace

std::string class_roster_path(const topo::Lab& base) {
    if (!base.class_info || base.class_info->students.empty()) return "";
    std::filesystem::path path(base.class_info->students);
    if (path.is_relative()) path = std::filesystem::path(base.base_dir) / path;
    return path.string();
}

std::vector<ClassStudent> load_class_record(const std::filesystem::path& base_state_dir) {
    auto path = class_path(base_state_dir);
    if (!std::filesystem::exists(path)) return {};
    auto json = nlohmann::json::parse(util::read_file(path), nullptr, false);
    std::vector<ClassStudent> students;
    if (!json.is_object() || !json["students"].is_array())
        throw InfraError(path.string() + ": not a class record (remove it and run class up)");
    for (const auto& entry : json["students"]) {
        if (!entry.is_object() || !entry["id"].is_string() || !entry["index"].is_number_unsigned())
            throw InfraError(path.string() + ": a student entry without id or index");
        ClassStudent student{entry["id"].get<std::string>(), entry["index"].get<std::size_t>(), ""};
        if (entry.contains("host") && entry["host"].is_string())
            student.host = entry["host"].get<std::string>();
        students.push_back(std::move(student));
    }
    return students;
}

void save_class_record(const std::filesystem::path& base_state_dir,
                       const std::vector<ClassStudent>& students) {
    auto path = class_path(base_state_dir);
    if (students.empty()) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
        return;
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& student : students) {
        nlohmann::json entry{{"id", student.id}, {"index", student.index}};
        if (!student.host.empty()) entry["host"] = student.host;
        list.push_back(entry);
    }
    std::filesystem::create_directories(base_state_dir);
    util::write_file_atomic(path, nlohmann::json{{"students", list}}.dump(2) + "\n", 0600);
}

std::vector<ClassStudent> enroll(std::vector<ClassStudent> students,
                                 const std::vector<std::string>& ids) {
    std::set<std::size_t> taken;
    for (const auto& student : students) taken.insert(student.index);
    std::size_t next = 0;
    for (const auto& id : ids) {
        if (std::any_of(students.begin(), students.end(),
                        [&](const auto& student) { return student.id == id; }))
            continue;
        while (taken.count(next)) ++next;
        students.push_back({id, next, ""});
        taken.insert(next);
    }
    return students;
}

std::string student_host(const topo::Lab& base, const std::string& id) {
    for (const auto& student : load_class_record(store::lab_state_dir(base.lab.name)))
        if (student.id == id)
            for (const auto& host : base.hosts)
                if (host.name == student.host) return host.name;
    return "";
}

std::size_t student_index(const topo::Lab& base, const std::string& id) {
    auto recorded = load_class_record(store::lab_state_dir(base.lab.name));
    for (const auto& student : recorded)
        if (student.id == id) return student.index;
    std::vector<std::string> known;
    for (const auto& student : recorded) known.push_back(student.id);
    if (!recorded.empty())
        throw InputError("student `" + id + "` is not in class " + base.lab.name +
                         " (students: " + util::join(known, ", ") +
                         "); `labctl class up --roster FILE` adds students");
    if (base.class_info && !base.class_info->students.empty()) {
        auto roster = labfile::read_roster(class_roster_path(base));
        auto it = std::find(roster.begin(), roster.end(), id);
        if (it == roster.end())
            throw InputError("student `" + id + "` is not in the roster " +
                             class_roster_path(base));
        return static_cast<std::size_t>(it - roster.begin());
    }
    // Default ids s01..sNN: the number says the block.
    if (id.size() >= 2 && id[0] == 's' &&
        std::all_of(id.begin() + 1, id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        auto number = std::stoul(id.substr(1, 9));
        if (number >= 1) return number - 1;
    }
    throw InputError("student `" + id + "` is not in class " + base.lab.name +
                     ": `labctl class up` has not made any copy yet (default ids are s01, s02, "
                     "...)");
}

}  // namespace labctl::commands

#include "labfile/roster.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "labfile/class_copy.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::labfile {

namespace {

// One CSV line's fields: commas separate, double quotes may wrap a field ("" is a quote).
std::vector<std::string> csv_fields(std::string_view line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    for (auto& field : fields) field = std::string(util::trim(field));
    return fields;
}

}  // namespace

std::vector<std::string> parse_roster(std::string_view text, const std::string& file) {
    std::istringstream in{std::string(text)};
    std::string line;
    int number = 0;
    std::optional<std::size_t> id_column;
    std::vector<std::string> ids;
    std::set<std::string> seen;
    auto where = [&] { return file + ":" + std::to_string(number) + ": error: "; };
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (util::trim(line).empty()) continue;
        auto fields = csv_fields(line);
        if (!id_column) {
            for (std::size_t k = 0; k < fields.size(); ++k)
                if (fields[k] == "id") id_column = k;
            if (!id_column)
                throw InputError(where() +
                                 "the roster's first line must name its columns, one of them "
                                 "`id` (e.g. \"id,name\")");
            continue;
        }
        if (*id_column >= fields.size() || fields[*id_column].empty())
            throw InputError(where() + "no id on this line");
        const auto& id = fields[*id_column];
        if (!is_student_id(id))
            throw InputError(where() + "student id `" + id +
                             "`: lower-case letters, digits and `-`, starting with a letter or "
                             "a digit (e.g. s01)");
        if (!seen.insert(id).second) throw InputError(where() + "student id `" + id + "` twice");
        ids.push_back(id);
    }
    if (!id_column) throw InputError(file + ": error: empty roster (a header line with `id`)");
    if (ids.empty()) throw InputError(file + ": error: the roster lists no student");
    return ids;
}

std::vector<std::string> read_roster(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path +
                         ": error: cannot read the roster: " + std::string(std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_roster(text.str(), path);
}

std::vector<std::string> default_student_ids(std::size_t count) {
    std::vector<std::string> ids;
    int width = count >= 100 ? static_cast<int>(std::to_string(count).size()) : 2;
    for (std::size_t k = 1; k <= count; ++k) {
        std::string number = std::to_string(k);
        ids.push_back("s" + std::string(width - std::min<int>(width, number.size()), '0') + number);
    }
    return ids;
}

}  // namespace labctl::labfile

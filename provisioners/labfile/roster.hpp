// A class roster: a CSV file with a header line naming an `id` column (other columns, such as
// a name or an e-mail, are the instructor's and are ignored). Each id must be a student id
// (class_copy.hpp) and appear once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace labctl::labfile {

// The ids in file order. InputError (exit 2) naming FILE:LINE for anything wrong.
std::vector<std::string> parse_roster(std::string_view text, const std::string& file);
std::vector<std::string> read_roster(const std::string& path);

// s01..sNN (at least two digits, more when N >= 100).
std::vector<std::string> default_student_ids(std::size_t count);

}  // namespace labctl::labfile

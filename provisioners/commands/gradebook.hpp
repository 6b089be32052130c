// The gradebook of `labctl class check`: one row per student (points per declared check,
// total, when it ran), as a table for people, CSV for a spreadsheet and JSON for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "verify/declared_checks.hpp"

namespace labctl::commands {

struct GradeColumn {
    std::string name;  // the check's name
    int points_possible = 0;
};

struct GradeRow {
    std::string student;
    std::string lab;              // the copy's lab name
    std::string when;             // UTC, ISO 8601, when its checks ran
    verify::ScoredReport report;  // empty when the copy could not be checked
    std::string error;            // why it could not be, "" when it was
};

struct Gradebook {
    std::vector<GradeColumn> columns;  // the lab's declared checks, in file order
    std::vector<GradeRow> rows;        // in the order of the class record

    // Points of ROW on column K (0 when the check did not run).
    int points(const GradeRow& row, std::size_t k) const;
    int points_possible() const;

    // id,<one column per check>,total,possible,when,error; RFC 4180 quoting.
    std::string csv() const;
    nlohmann::json to_json() const;
    // A numbered legend of the checks, then one aligned line per student.
    void print(std::ostream& out) const;
};

}  // namespace labctl::commands

#include "commands/gradebook.hpp"

#include <fmt/format.h>

namespace labctl::commands {

namespace {

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

}  // namespace

int Gradebook::points(const GradeRow& row, std::size_t k) const {
    for (const auto& scored : row.report.checks)
        if (scored.check.name == columns[k].name) return scored.points();
    return 0;
}

int Gradebook::points_possible() const {
    int total = 0;
    for (const auto& column : columns) total += column.points_possible;
    return total;
}

std::string Gradebook::csv() const {
    std::string text = "id";
    for (const auto& column : columns) text += "," + csv_field(column.name);
    text += ",total,possible,when,error\r\n";
    for (const auto& row : rows) {
        text += csv_field(row.student);
        int total = 0;
        for (std::size_t k = 0; k < columns.size(); ++k) {
            total += points(row, k);
            text += "," + std::to_string(points(row, k));
        }
        text += fmt::format(",{},{},{},{}\r\n", total, points_possible(), row.when,
                            csv_field(row.error));
    }
    return text;
}

nlohmann::json Gradebook::to_json() const {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& column : columns)
        checks.push_back({{"name", column.name}, {"points_possible", column.points_possible}});
    nlohmann::json students = nlohmann::json::array();
    for (const auto& row : rows) {
        nlohmann::json points_by_check = nlohmann::json::object();
        int total = 0;
        for (std::size_t k = 0; k < columns.size(); ++k) {
            points_by_check[columns[k].name] = points(row, k);
            total += points(row, k);
        }
        students.push_back({{"id", row.student},
                            {"lab", row.lab},
                            {"points", points_by_check},
                            {"total", total},
                            {"points_possible", points_possible()},
                            {"when", row.when},
                            {"error", row.error},
                            {"checks", row.report.to_json()["checks"]}});
    }
    return {{"checks", checks}, {"points_possible", points_possible()}, {"students", students}};
}

void Gradebook::print(std::ostream& out) const {
    for (std::size_t k = 0; k < columns.size(); ++k)
        out << fmt::format("  c{}  {} ({} point{})\n", k + 1, columns[k].name,
                           columns[k].points_possible, columns[k].points_possible == 1 ? "" : "s");
    std::size_t width = 7;  // "student"
    for (const auto& row : rows) width = std::max(width, row.student.size());
    out << fmt::format("{:<{}}", "student", width);
    for (std::size_t k = 0; k < columns.size(); ++k)
        out << fmt::format("  {:>4}", "c" + std::to_string(k + 1));
    out << "  total  when\n";
    for (const auto& row : rows) {
        out << fmt::format("{:<{}}", row.student, width);
        int total = 0;
        for (std::size_t k = 0; k < columns.size(); ++k) {
            total += points(row, k);
            out << fmt::format("  {:>4}", points(row, k));
        }
        out << fmt::format("  {:>2}/{:<2}  {}", total, points_possible(), row.when);
        if (!row.error.empty()) out << "  not checked: " << row.error;
        out << "\n";
    }
}

}  // namespace labctl::commands

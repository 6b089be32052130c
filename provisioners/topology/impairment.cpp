#include "topology/impairment.hpp"

#include <regex>

namespace labctl::topo {

namespace {

// A decimal number (no sign, no exponent) then one of UNITS; the value scaled by the unit.
std::optional<double> number_with_unit(std::string_view text,
                                       const std::vector<std::pair<std::string, double>>& units) {
    static const std::regex number("^([0-9]{1,9})(\\.[0-9]{1,6})?([a-z%]+)$");
    std::match_results<std::string_view::const_iterator> match;
    if (!std::regex_match(text.begin(), text.end(), match, number)) return std::nullopt;
    for (const auto& [unit, scale] : units)
        if (match[3].str() == unit) return std::stod(match[1].str() + match[2].str()) * scale;
    return std::nullopt;
}

}  // namespace

std::string Impairment::describe() const {
    std::string out;
    auto add = [&](const char* key, const std::string& value) {
        if (!value.empty()) out += (out.empty() ? "" : " ") + std::string(key) + " " + value;
    };
    add("delay", delay);
    add("jitter", jitter);
    add("loss", loss);
    add("rate", rate);
    return out;
}

std::string check_duration(std::string_view key, std::string_view text) {
    auto seconds = number_with_unit(text, {{"us", 1e-6}, {"ms", 1e-3}, {"s", 1}});
    if (!seconds)
        return "bad " + std::string(key) + " `" + std::string(text) +
               "`: a duration such as 100ms, 1.5s or 250us";
    if (*seconds > 60)
        return "bad " + std::string(key) + " `" + std::string(text) + "`: at most 60s";
    return "";
}

std::string check_loss(std::string_view text) {
    auto percent = number_with_unit(text, {{"%", 1}});
    if (!percent || *percent > 100)
        return "bad loss `" + std::string(text) + "`: a percentage from 0% to 100%, such as 2%";
    return "";
}

std::string check_rate(std::string_view text) {
    auto bits = number_with_unit(text, {{"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}});
    if (!bits || *bits < 8 || *bits > 100e9)
        return "bad rate `" + std::string(text) +
               "`: a rate from 8bit to 100gbit such as 1mbit or 512kbit";
    return "";
}

std::vector<std::string> check_impairment(const Impairment& impairment) {
    std::vector<std::string> problems;
    auto keep = [&](std::string problem) {
        if (!problem.empty()) problems.push_back(std::move(problem));
    };
    if (!impairment.delay.empty()) keep(check_duration("delay", impairment.delay));
    if (!impairment.jitter.empty()) keep(check_duration("jitter", impairment.jitter));
    if (!impairment.loss.empty()) keep(check_loss(impairment.loss));
    if (!impairment.rate.empty()) keep(check_rate(impairment.rate));
    if (!impairment.jitter.empty() && impairment.delay.empty())
        keep("jitter needs a delay (netem varies the delay by the jitter)");
    if (impairment.empty()) keep("no impairment: set delay, jitter, loss or rate");
    return problems;
}

}  // namespace labctl::topo

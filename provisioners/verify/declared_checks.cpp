#include "verify/declared_checks.hpp"

#include <fmt/format.h>

#include <chrono>
#include <map>

#include "labfile/check_validator.hpp"
#include "probe/socket.hpp"
#include "remote/transfer.hpp"
#include "services/registry.hpp"
#include "store/lab_ca.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"
#include "util/retry.hpp"
#include "util/search_pattern.hpp"
#include "util/stamp.hpp"
#include "util/strings.hpp"

namespace labctl::verify {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// At most one line of LIMIT characters of TEXT, for a detail.
std::string excerpt(const std::string& text, std::size_t limit = 120) {
    auto trimmed = util::trim(text);
    auto newline = trimmed.find('\n');
    std::string line = trimmed.substr(0, newline);
    if (line.size() > limit) line = line.substr(0, limit) + "…";
    return newline == std::string::npos ? line : line + " …";
}

// Empty when PATTERN occurs in TEXT, else what to say: "does not match /P/: excerpt", or
// that the search gave up. The loader compiled every pattern once already.
std::string mismatch(const std::string& pattern, const std::string& text) {
    std::string why;
    auto compiled = util::SearchPattern::compile(pattern, why);
    if (compiled && compiled->found_in(text, &why)) return "";
    return "does not match /" + pattern + "/" + (why.empty() ? "" : " (" + why + ")") + ": " +
           excerpt(text);
}

struct Endpoint {
    std::string label;  // "lb on server1", "chat-server2", "server1:8080"
    std::string address;
    int port = 0;
    bool tls = false;  // HTTPS, checked against the lab's CA
};

// Where an http or tcp check knocks: NODE:PORT, a balancer's port on each of its nodes, or
// every instance of any other service.
std::vector<Endpoint> endpoints(const topo::Lab& lab, const std::string& target) {
    if (auto node_port = labfile::parse_node_port(target)) {
        const auto* node = lab.node(node_port->node);
        return {{target, node->address(), node_port->port}};
    }
    std::vector<Endpoint> out;
    const auto* service = lab.service(target);
    if (auto balancing = services::balancing_of(lab, *service)) {
        for (const auto& on : service->on) {
            const auto* node = lab.node(on.value);
            out.push_back({service->name + " on " + node->name, node->address(), balancing->port,
                           balancing->tls});
        }
    } else {
        for (const auto& instance : lab.instances(*service))
            out.push_back({instance.name, instance.node->address(), instance.port});
    }
    return out;
}

Check run_http(const topo::Lab& lab, const std::filesystem::path& state_dir,
               const topo::DeclaredCheck& declared) {
    auto start = Clock::now();
    Check check{declared.name, true, 0, ""};
    for (const auto& endpoint : endpoints(lab, declared.target.value)) {
        auto response = probe::http_get(
            endpoint.address, static_cast<std::uint16_t>(endpoint.port), declared.path, 5s,
            endpoint.tls ? store::lab_ca_cert_path(state_dir).string() : std::string());
        auto verdict = judge_http(declared, response);
        check.ok &= verdict.ok;
        check.detail += (check.detail.empty() ? "" : "; ") +
                        fmt::format("{} {}:{}{}: {}", endpoint.label, endpoint.address,
                                    endpoint.port, declared.path, verdict.detail);
    }
    check.seconds = util::seconds_since(start);
    return check;
}

Check run_tcp(const topo::Lab& lab, const topo::DeclaredCheck& declared) {
    auto start = Clock::now();
    auto endpoint = endpoints(lab, declared.target.value).front();
    auto probe =
        probe::tcp_port_open(endpoint.address, static_cast<std::uint16_t>(endpoint.port), 3s);
    return {declared.name, probe.open, util::seconds_since(start),
            fmt::format("{}:{} {}", endpoint.address, endpoint.port,
                        probe.open ? "accepts TCP" : probe.error)};
}

// POST {"user": "labctl", "text": TOKEN} to the first instance, then poll the read path of
// another one until TOKEN shows up, for at most 15 s.
Check run_relay(const topo::Lab& lab, const topo::DeclaredCheck& declared) {
    auto start = Clock::now();
    auto instances = lab.instances(*lab.service(declared.target.value));
    const auto& from = instances.front();
    const auto& to = instances.back();
    Check check{declared.name, false, 0, ""};
    std::string token = "labctl-check-" + util::random_token(12);
    auto posted =
        probe::HttpClient(from.node->address(), static_cast<std::uint16_t>(from.port), 5s)
            .post(declared.post, nlohmann::json{{"user", "labctl"}, {"text", token}}.dump());
    if (!posted.ok() || posted.status >= 300) {
        check.detail = "POST " + declared.post + " on " + from.name + ": " +
                       (posted.ok() ? "HTTP " + std::to_string(posted.status) : posted.error);
    } else {
        try {
            util::wait_until(to.node->name, "check " + declared.name, 15s, [&]() -> std::string {
                auto read = probe::http_get(to.node->address(), static_cast<std::uint16_t>(to.port),
                                            declared.read, 5s);
                if (read.status == 200 && read.body.find(token) != std::string::npos) return "";
                return read.ok() ? "GET " + declared.read + " on " + to.name + ": HTTP " +
                                       std::to_string(read.status) + ", no message"
                                 : read.error;
            });
            check.ok = true;
            check.detail = fmt::format("posted on {}, read on {} {:.2f}s later", from.name, to.name,
                                       util::seconds_since(start));
        } catch (const LabError& error) {
            check.detail =
                "posted on " + from.name + ", not read on " + to.name + ": " + error.what();
        }
    }
    check.seconds = util::seconds_since(start);
    return check;
}

Check run_command(VerifyContext& context, const topo::DeclaredCheck& declared) {
    auto start = Clock::now();
    remote::RunOptions options;
    options.timeout = 120s;
    options.step = "check " + declared.name;
    Check check;
    try {
        check = judge_command(declared,
                              context.ssh.get(declared.on.value).run(declared.command, options));
    } catch (const std::exception& error) {
        check = {declared.name, false, 0, "on " + declared.on.value + ": " + error.what()};
    }
    check.seconds = util::seconds_since(start);
    return check;
}

}  // namespace

Check judge_http(const topo::DeclaredCheck& check, const probe::HttpResponse& response) {
    if (!response.ok()) return {check.name, false, 0, response.error};
    std::string status = "HTTP " + std::to_string(response.status);
    if (response.status != check.expect_status)
        return {check.name, false, 0, status + ", expected " + std::to_string(check.expect_status)};
    if (!check.expect_body.empty())
        if (auto why = mismatch(check.expect_body, response.body); !why.empty())
            return {check.name, false, 0, status + ", body " + why};
    return {check.name, true, 0, status + (check.expect_body.empty() ? "" : ", body matches")};
}

Check judge_command(const topo::DeclaredCheck& check, const remote::RunResult& result) {
    if (result.exit_code != 0)
        return {check.name, false, 0,
                "exit " + std::to_string(result.exit_code) + ": " +
                    excerpt(result.err.empty() ? result.out : result.err)};
    if (!check.expect_output.empty())
        if (auto why = mismatch(check.expect_output, result.out); !why.empty())
            return {check.name, false, 0, "output " + why};
    // Hashed so a lab handed to students does not publish its answer; say only that it differs.
    if (!check.expect_output_sha256.empty() &&
        remote::sha256_hex(util::trim(result.out)) != check.expect_output_sha256)
        return {check.name, false, 0,
                "the SHA-256 of the output is not the expected one: " + excerpt(result.out)};
    std::string detail = "exit 0";
    if (!check.expect_output.empty()) detail += ", output matches";
    if (!check.expect_output_sha256.empty()) detail += ", output hash matches";
    return {check.name, true, 0, detail};
}

ScoredReport run_declared_checks(VerifyContext& context, const FailoverRunner& failover) {
    const auto& lab = context.lab;
    ScoredReport report;
    for (const auto& declared : lab.checks)
        report.checks.push_back({{declared.name, false, 0, ""}, declared.points});

    // Lanes of checks that run one after another: one per node for commands, one per other check.
    std::map<std::string, std::vector<std::size_t>> lanes;
    for (std::size_t i = 0; i < lab.checks.size(); ++i) {
        const auto& declared = lab.checks[i];
        if (declared.kind == topo::ProbeKind::failover) continue;
        lanes[declared.kind == topo::ProbeKind::command ? "ssh " + declared.on.value
                                                        : "#" + std::to_string(i)]
            .push_back(i);
    }
    std::vector<std::vector<std::size_t>> lane_list;
    for (auto& [key, indexes] : lanes) lane_list.push_back(std::move(indexes));
    util::parallel_for(lane_list.size(), context.width(8), [&](std::size_t lane) {
        for (auto i : lane_list[lane]) {
            const auto& declared = lab.checks[i];
            Check check;
            switch (declared.kind) {
                case topo::ProbeKind::http:
                    check = run_http(lab, context.state_dir, declared);
                    break;
                case topo::ProbeKind::tcp:
                    check = run_tcp(lab, declared);
                    break;
                case topo::ProbeKind::relay:
                    check = run_relay(lab, declared);
                    break;
                case topo::ProbeKind::command:
                    check = run_command(context, declared);
                    break;
                case topo::ProbeKind::failover:
                    break;
            }
            report.checks[i].check = std::move(check);
        }
    });

    for (std::size_t i = 0; i < lab.checks.size(); ++i) {
        const auto& declared = lab.checks[i];
        if (declared.kind != topo::ProbeKind::failover || !failover) continue;
        auto start = Clock::now();
        try {
            report.checks[i].check = failover(declared);
        } catch (const std::exception& error) {
            report.checks[i].check = {declared.name, false, util::seconds_since(start),
                                      error.what()};
        }
    }
    if (failover) return report;
    ScoredReport without_failover;
    for (std::size_t i = 0; i < lab.checks.size(); ++i)
        if (lab.checks[i].kind != topo::ProbeKind::failover)
            without_failover.checks.push_back(report.checks[i]);
    return without_failover;
}

int ScoredReport::points() const {
    int sum = 0;
    for (const auto& check : checks) sum += check.points();
    return sum;
}

int ScoredReport::points_possible() const {
    int sum = 0;
    for (const auto& check : checks) sum += check.points_possible;
    return sum;
}

bool ScoredReport::ok() const {
    return std::all_of(checks.begin(), checks.end(),
                       [](const auto& check) { return check.check.ok; });
}

nlohmann::json ScoredReport::to_json() const {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& scored : checks)
        list.push_back({{"name", scored.check.name},
                        {"ok", scored.check.ok},
                        {"points", scored.points()},
                        {"points_possible", scored.points_possible},
                        {"seconds", scored.check.seconds},
                        {"detail", scored.check.detail}});
    return {{"ok", ok()},
            {"points", points()},
            {"points_possible", points_possible()},
            {"checks", list}};
}

void ScoredReport::print(std::ostream& out, bool color) const {
    Report plain;
    for (const auto& scored : checks) plain.checks.push_back(scored.check);
    plain.print(out, color);
    out << fmt::format("{} of {} points\n", points(), points_possible());
}

}  // namespace labctl::verify

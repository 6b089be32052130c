// Runs the checks a lab's author declares in [[checks]] (SPEC.md "Checks you declare"): HTTP,
// TCP and relay probes from labctl itself, commands over the lab's SSH sessions, failovers
// through the kill/revive machinery. Each result carries the points it is worth.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "probe/http.hpp"
#include "remote/session.hpp"
#include "topology/model.hpp"
#include "verify/checks.hpp"
#include "verify/report.hpp"

namespace labctl::verify {

struct ScoredCheck {
    Check check;
    int points_possible = 0;
    int points() const { return check.ok ? points_possible : 0; }
};

struct ScoredReport {
    std::vector<ScoredCheck> checks;
    int points() const;
    int points_possible() const;
    bool ok() const;
    // {"ok", "points", "points_possible", "checks":
    // [{"name","ok","points","points_possible","seconds","detail"}]}
    nlohmann::json to_json() const;
    // The ✓/✗ lines of Report::print, then "N of M points".
    void print(std::ostream& out, bool color) const;
};

// A failover check needs libvirt (poweroff, link-down) and the lab's fault state, which
// commands/ owns: it kills, drives load through the balancer, measures and revives.
using FailoverRunner = std::function<Check(const topo::DeclaredCheck&)>;

// Every declared check: the independent ones in parallel (one node's commands one after
// another, since a node's SSH session serves one thread at a time), then the failover checks
// alone, one after another, last. Without FAILOVER they are left out of the report.
ScoredReport run_declared_checks(VerifyContext& context, const FailoverRunner& failover);

// The verdicts, pure so tests can feed them answers.
// An HTTP answer: the expected status and, if given, EXPECT_BODY found in the body.
Check judge_http(const topo::DeclaredCheck& check, const probe::HttpResponse& response);
// A command's result: exit 0, EXPECT_OUTPUT found in stdout, and the SHA-256 of the trimmed
// stdout equal to EXPECT_OUTPUT_SHA256, each when given.
Check judge_command(const topo::DeclaredCheck& check, const remote::RunResult& result);

}  // namespace labctl::verify

#include "commands/provision_step.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "engine/netem.hpp"
#include "labfile/render_lab.hpp"
#include "remote/keys.hpp"
#include "remote/lab_ssh.hpp"
#include "remote/pool.hpp"
#include "services/runner.hpp"
#include "verify/checks.hpp"
#include "verify/impaired_links.hpp"

namespace labctl::commands {

void prepare_ssh_identity(const topo::Lab& lab, const std::filesystem::path& state_dir) {
    remote::ensure_lab_key(state_dir);
    for (const auto& node : lab.nodes) {
        auto host_key = remote::ensure_node_host_key(state_dir, node.name);
        if (!node.nics.empty())
            remote::pin_host_key(remote::known_hosts_path(state_dir), node.address(), 22,
                                 host_key.public_line);
    }
}

ProvisionSummary provision_lab(const topo::Lab& lab, const std::filesystem::path& state_dir,
                               const std::vector<std::string>& only, util::Reporter& progress,
                               int jobs) {
    // With --only, a service is provisioned when every node it runs on was brought up.
    topo::Lab selected = lab;
    if (!only.empty()) {
        selected.services.clear();
        for (const auto& service : lab.services) {
            bool inside = std::all_of(service.on.begin(), service.on.end(), [&](const auto& on) {
                return std::find(only.begin(), only.end(), on.value) != only.end();
            });
            if (inside) selected.services.push_back(service);
        }
    }
    auto lab_ssh = remote::open_lab_ssh(state_dir);
    remote::SessionPool pool([&](const std::string& node) {
        auto options = remote::connect_options(lab_ssh, *selected.node(node));
        // The banner answered already; the authorized key may land a moment later.
        options.retry_auth_denied = true;
        return options;
    });
    auto files = labfile::render_lab(selected, render::TemplateSet{});
    ProvisionSummary summary;
    std::mutex mutex;
    services::ProvisionOptions options;
    options.state_dir = state_dir;
    options.jobs = jobs > 0 ? static_cast<std::size_t>(jobs) : 0;
    options.on_report = [&](const services::RoleReport& report) {
        std::lock_guard lock(mutex);
        if (report.left_for_student) {
            ++summary.left;
            progress.step(fmt::format("{:<8} {:<24} provision = false: left for the student",
                                      "left", report.service + " on " + report.node));
            return;
        }
        ++summary.services;
        summary.changed += report.changed() ? 1 : 0;
        double seconds = 0;
        std::string steps;
        for (const auto& step : report.steps) {
            seconds += step.seconds;
            if (step.outcome == services::Outcome::changed)
                steps += (steps.empty() ? "" : ", ") + step.step;
        }
        progress.step(fmt::format("{:<8} {:<24} {} ({:.1f}s)", report.changed() ? "changed" : "ok",
                                  report.service + " on " + report.node,
                                  steps.empty() ? "" : "changed: " + steps, seconds));
        // -v: every step, also those that changed nothing, with its time and detail.
        for (const auto& step : report.steps)
            progress.detail(
                fmt::format("  {} on {}: {} {} ({:.1f}s){}", report.service, report.node, step.step,
                            step.outcome == services::Outcome::changed ? "changed" : "ok",
                            step.seconds, step.detail.empty() ? "" : ": " + step.detail));
    };
    services::provision(selected, files, pool, options);
    return summary;
}

bool verify_lab(const topo::Lab& lab, const std::filesystem::path& state_dir, std::ostream& out,
                bool json, bool color, int jobs, const verify::FailoverRunner& failover,
                bool declared_decide) {
    auto lab_ssh = remote::open_lab_ssh(state_dir);
    remote::SessionPool pool(
        [&](const std::string& node) { return remote::connect_options(lab_ssh, *lab.node(node)); });
    verify::VerifyContext context{lab, pool, state_dir};
    context.jobs = jobs;
    verify::ReachabilityMatrix matrix;
    auto report = verify::run_checks(context, &matrix);
    // Impaired links (the lab file's `impair` as `up` applied it, and `labctl netem`): their RTT.
    std::vector<verify::ImpairedLink> impaired;
    for (const auto& [key, netem] : engine::load_netem(state_dir)) {
        auto colon = key.find(':');
        if (colon != std::string::npos)
            impaired.push_back(
                {key.substr(0, colon), key.substr(colon + 1), netem.impairment.describe()});
    }
    verify::check_impaired_links(context, report, impaired);
    bool built_in_ok = report.ok();
    auto declared = verify::run_declared_checks(context, failover);
    for (const auto& scored : declared.checks) report.checks.push_back(scored.check);
    if (json) {
        auto json_report = report.to_json();
        if (!declared.checks.empty()) {
            json_report["points"] = declared.points();
            json_report["points_possible"] = declared.points_possible();
        }
        out << json_report.dump(2) << "\n";
    } else {
        matrix.print(out);
        report.print(out, color);
        if (!declared.checks.empty())
            out << fmt::format("declared checks: {} of {} points\n", declared.points(),
                               declared.points_possible());
    }
    return declared_decide ? report.ok() : built_in_ok;
}

bool has_student_work(const topo::Lab& lab) {
    return std::any_of(lab.services.begin(), lab.services.end(),
                       [](const auto& service) { return !service.provision; });
}

}  // namespace labctl::commands

#include "commands/node_readiness.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "remote/lab_ssh.hpp"
#include "util/parallel.hpp"
#include "util/retry.hpp"
#include "util/strings.hpp"

namespace labctl::commands {

bool NicObservation::as_planned() const {
    return std::find(addresses.begin(), addresses.end(), planned) != addresses.end();
}

std::optional<std::string> NicObservation::shown() const {
    if (as_planned()) return planned;
    if (!addresses.empty()) return addresses.front();
    return std::nullopt;
}

std::string NicObservation::problem() const {
    if (as_planned()) return "";
    if (interface.empty())
        return "no NIC with MAC " + mac + " on network " + network + " (planned " + planned + ")";
    std::string what = "NIC " + interface + " (" + mac + ") on network " + network;
    if (addresses.empty()) return what + " has no IPv4 address (planned " + planned + ")";
    return what + " has " + util::join(addresses, ", ") + ", not the planned " + planned;
}

std::vector<NicObservation> observe_nics(const topo::Node& node,
                                         const std::vector<remote::GuestNic>& guest) {
    std::vector<NicObservation> seen;
    for (const auto& nic : node.nics) {
        NicObservation observation{nic.network, nic.mac, nic.planned.str(), {}, {}};
        for (const auto& g : guest)
            if (g.mac == nic.mac) {
                observation.interface = g.name;
                observation.addresses = g.addresses;
            }
        seen.push_back(std::move(observation));
    }
    return seen;
}

std::vector<NicObservation> await_planned_addresses(const topo::Node& node,
                                                    remote::SessionPool& pool,
                                                    std::chrono::seconds timeout) {
    std::vector<NicObservation> seen;
    util::wait_until(node.name, "addresses", timeout, [&]() -> std::string {
        seen = observe_nics(node, remote::read_guest_nics(pool.get(node.name), "addresses"));
        for (const auto& nic : seen)
            if (auto problem = nic.problem(); !problem.empty()) return problem;
        return "";
    });
    return seen;
}

void wait_for_planned_addresses(const topo::Lab& lab, const std::filesystem::path& state_dir,
                                const std::vector<std::string>& nodes, int jobs,
                                std::chrono::seconds timeout, util::Reporter& report) {
    auto lab_ssh = remote::open_lab_ssh(state_dir);
    remote::SessionPool pool([&](const std::string& node) {
        auto options = remote::connect_options(lab_ssh, *lab.node(node));
        options.retry_auth_denied = true;  // the banner answered; the key may land a moment later
        return options;
    });
    auto width = util::jobs_or(jobs, nodes.size());
    util::parallel_for(nodes.size(), width, [&](std::size_t k) {
        const auto& name = nodes[k];
        const topo::Node& node = *lab.node(name);
        auto waited_from = std::chrono::steady_clock::now();
        auto seen = await_planned_addresses(node, pool, timeout);
        std::string addresses;
        for (const auto& nic : seen) addresses += " " + nic.network + "=" + nic.planned;
        double waited =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - waited_from).count();
        report.step("node " + name + "  addresses as planned:" + addresses +
                    fmt::format(" ({:.1f}s)", waited));
    });
}

void observe_node_status(const remote::LabSsh& lab_ssh, const topo::Node& node,
                         engine::NodeStatus& status) {
    status.probed = true;
    auto options = remote::connect_options(lab_ssh, node);
    options.attempt_timeout = std::chrono::seconds(3);
    options.deadline = std::chrono::seconds(3);
    auto began = std::chrono::steady_clock::now();
    try {
        auto session = remote::Session::connect(options);
        status.ssh_latency =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        status.ssh = true;
        auto seen = observe_nics(node, remote::read_guest_nics(session, "status"));
        for (std::size_t i = 0; i < seen.size() && i < status.nics.size(); ++i) {
            status.nics[i].seen = seen[i].shown();
            status.nics[i].problem = seen[i].problem();
        }
    } catch (const std::exception& error) {
        status.ssh_error = error.what();
    }
}

}  // namespace labctl::commands

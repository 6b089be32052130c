#include "verify/impaired_links.hpp"

#include <chrono>
#include <regex>

#include "remote/session.hpp"
#include "util/parallel.hpp"
#include "util/stamp.hpp"
#include "util/strings.hpp"

namespace labctl::verify {

namespace {

// Five pings per peer, 0.2 s apart (the shortest interval an unprivileged ping may use).
const char* rtt_script = R"(for t in "$@"; do
  echo "== $t"
  ping -c 5 -i 0.2 -W 3 -q "$t" 2>&1 | tail -n 2
done)";

}  // namespace

std::string describe_ping_summary(const std::string& ping_output) {
    static const std::regex rtt("rtt min/avg/max/mdev = ([0-9.]+)/([0-9.]+)/([0-9.]+)/[0-9.]+ ms");
    static const std::regex loss("([0-9.]+)% packet loss");
    std::smatch times, lost;
    if (!std::regex_search(ping_output, times, rtt)) return "";
    std::string out =
        "avg " + times[2].str() + " ms (min " + times[1].str() + ", max " + times[3].str() + ")";
    if (std::regex_search(ping_output, lost, loss)) out += ", " + lost[1].str() + "% loss";
    return out;
}

void check_impaired_links(VerifyContext& context, Report& report,
                          const std::vector<ImpairedLink>& links) {
    std::vector<std::vector<Check>> results(links.size());
    util::parallel_for(links.size(), context.width(links.size()), [&](std::size_t k) {
        const auto& link = links[k];
        const topo::Node* node = context.lab.node(link.node);
        if (!node || !node->nic(link.network)) return;
        std::vector<std::pair<std::string, std::string>> peers;  // name, address
        for (const auto& peer : context.lab.nodes)
            if (&peer != node)
                if (const auto* nic = peer.nic(link.network))
                    peers.emplace_back(peer.name, nic->planned.str());
        if (peers.empty()) return;
        std::vector<std::string> argv{"bash", "-c", rtt_script, "rtt"};
        for (const auto& [name, address] : peers) argv.push_back(address);
        auto start = std::chrono::steady_clock::now();
        std::string output, failure;
        try {
            remote::RunOptions options;
            options.timeout = std::chrono::seconds(120);
            options.step = "verify rtt";
            output = context.ssh.get(node->name).run(argv, options).out;
        } catch (const std::exception& error) {
            failure = error.what();
        }
        double seconds = util::seconds_since(start) / static_cast<double>(peers.size());
        // Split the output back per peer at its "== ADDRESS" line.
        for (const auto& [name, address] : peers) {
            std::string section;
            auto at = output.find("== " + address + "\n");
            if (at != std::string::npos) {
                auto end = output.find("\n== ", at + 1);
                section = output.substr(at, end == std::string::npos ? end : end - at);
            }
            std::string summary = describe_ping_summary(section);
            std::string detail = !failure.empty()  ? "ssh to " + node->name + " failed: " + failure
                                 : summary.empty() ? "no reply: " + util::trim(section)
                                                   : summary;
            results[k].push_back({"rtt " + node->name + "->" + name + " " + link.network +
                                      " (impaired: " + link.impairment + ")",
                                  !summary.empty(), seconds, detail});
        }
    });
    for (auto& checks : results)
        for (auto& check : checks) report.checks.push_back(std::move(check));
}

}  // namespace labctl::verify

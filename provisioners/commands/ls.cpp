// `labctl ls [--json]`: every lab on the connection, from labctl's tags alone (a lab whose
// file or state directory is gone is still listed, so `down --lab NAME` can find it).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands/lifecycle_commands.hpp"
#include "engine/lab_census.hpp"
#include "engine/target.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

int run_ls(const GlobalOptions& global, const LsOptions& options, std::ostream& out) {
    auto driver = engine::requested_driver(global.driver, topo::Driver::automatic);
    std::string uri = engine::choose_uri(global.connect, "", driver);
    virt::Connection connection(uri);
    auto census = engine::take_census(connection);
    if (options.json) {
        nlohmann::json labs = nlohmann::json::array();
        for (const auto& [name, lab] : census) {
            nlohmann::json networks = nlohmann::json::array();
            for (const auto& network : lab.networks)
                networks.push_back({{"name", network.name},
                                    {"subnet", network.subnet ? network.subnet->str() : ""},
                                    {"bridge", network.bridge}});
            labs.push_back({{"name", name},
                            {"driver", lab.driver},
                            {"running", lab.running},
                            {"total", lab.total},
                            {"file", lab.file},
                            {"networks", networks}});
        }
        out << nlohmann::json{{"connect", uri}, {"labs", labs}}.dump() << "\n";
        return 0;
    }
    if (census.empty()) {
        out << "no labs on " << uri << "\n";
        return 0;
    }
    out << fmt::format("{:<20} {:<7} {:<8} {}\n", "LAB", "DRIVER", "NODES", "FILE");
    for (const auto& [name, lab] : census)
        out << fmt::format("{:<20} {:<7} {:<8} {}\n", name, lab.driver.empty() ? "-" : lab.driver,
                           fmt::format("{}/{}", lab.running, lab.total),
                           lab.file.empty() ? "-" : lab.file);
    return 0;
}

}  // namespace labctl::commands

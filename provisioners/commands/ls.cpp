// `labctl ls [--json]`: every lab on the connection, from labctl's tags alone (a lab whose
// file or state directory is gone is still listed, so `down --lab NAME` can find it). With a
// lab file whose lab spans hosts (its record's hosts, else its [hosts]), every one of those
// hosts is looked at, all at once, and a lab found on several is one line with its hosts.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands/lab_loading.hpp"
#include "commands/lifecycle_commands.hpp"
#include "engine/host_set.hpp"
#include "engine/lab_census.hpp"
#include "engine/lab_hosts.hpp"
#include "engine/lab_state.hpp"
#include "engine/network_leftovers.hpp"
#include "engine/target.hpp"
#include "store/paths.hpp"
#include "util/strings.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

namespace {

// Where to look: --connect names one libvirt; a lab file whose lab spans hosts names them;
// else the default libvirt, as for a lab without [hosts].
std::vector<engine::LabHost> hosts_to_list(const GlobalOptions& global) {
    if (global.connect.empty() && std::filesystem::exists(global.file)) {
        auto lab = load_lab(global);
        auto record = engine::load_record(store::lab_state_dir(lab.lab.name));
        if (record && !record->hosts.empty()) return engine::recorded_hosts(*record);
        if (!lab.hosts.empty()) return engine::lab_hosts(lab);
    }
    auto driver = engine::requested_driver(global.driver, topo::Driver::automatic);
    std::string uri = engine::choose_uri(global.connect, "", driver);
    return {{"", uri, "", engine::is_local_uri(uri)}};
}

}  // namespace

int run_ls(const GlobalOptions& global, const LsOptions& options, std::ostream& out) {
    auto hosts = hosts_to_list(global);
    bool several = hosts.size() > 1;
    auto sessions = engine::open_hosts(hosts, {}, false);
    std::vector<std::pair<std::string, std::map<std::string, engine::CensusLab>>> censuses;
    for (const auto& session : sessions)
        censuses.emplace_back(session.host.name, engine::take_census(*session.connection));
    auto census = engine::merge_census(censuses);
    std::string where = hosts.front().uri;
    if (options.json) {
        nlohmann::json labs = nlohmann::json::array();
        for (const auto& [name, lab] : census) {
            nlohmann::json networks = nlohmann::json::array();
            for (const auto& network : lab.networks) {
                nlohmann::json entry{{"name", network.name},
                                     {"subnet", network.subnet ? network.subnet->str() : ""},
                                     {"bridge", network.bridge}};
                if (several) entry["host"] = network.host;
                networks.push_back(entry);
            }
            nlohmann::json entry{{"name", name},           {"driver", lab.driver},
                                 {"running", lab.running}, {"total", lab.total},
                                 {"file", lab.file},       {"networks", networks}};
            if (several) entry["hosts"] = lab.hosts;
            labs.push_back(entry);
        }
        nlohmann::json json{{"connect", where}, {"labs", labs}};
        if (several) {
            json["hosts"] = nlohmann::json::array();
            for (const auto& host : hosts)
                json["hosts"].push_back({{"name", host.name}, {"connect", host.uri}});
        }
        out << json.dump() << "\n";
        return 0;
    }
    if (several) {
        std::vector<std::string> names;
        for (const auto& host : hosts) names.push_back(host.name + " (" + host.uri + ")");
        where = "hosts " + util::join(names, ", ");
    }
    if (census.empty()) {
        out << "no labs on " << where << "\n";
        return 0;
    }
    if (several)
        out << fmt::format("{:<20} {:<7} {:<8} {:<16} {}\n", "LAB", "DRIVER", "NODES", "HOSTS",
                           "FILE");
    else
        out << fmt::format("{:<20} {:<7} {:<8} {}\n", "LAB", "DRIVER", "NODES", "FILE");
    for (const auto& [name, lab] : census) {
        std::string driver = lab.driver.empty() ? "-" : lab.driver;
        std::string nodes = fmt::format("{}/{}", lab.running, lab.total);
        std::string file = lab.file.empty() ? "-" : lab.file;
        if (several)
            out << fmt::format("{:<20} {:<7} {:<8} {:<16} {}\n", name, driver, nodes,
                               util::join(lab.hosts, ","), file);
        else
            out << fmt::format("{:<20} {:<7} {:<8} {}\n", name, driver, nodes, file);
    }
    return 0;
}

}  // namespace labctl::commands

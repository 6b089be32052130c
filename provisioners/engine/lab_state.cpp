#include "engine/lab_state.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace labctl::engine {

namespace fs = std::filesystem;

fs::path record_path(const fs::path& state_dir) {
    return state_dir / "objects.json";
}

std::optional<LabRecord> load_record(const fs::path& state_dir) {
    fs::path path = record_path(state_dir);
    if (!fs::exists(path)) return std::nullopt;
    try {
        auto j = nlohmann::json::parse(util::read_file(path));
        LabRecord r;
        r.lab = j.value("lab", "");
        r.file = j.value("file", "");
        r.uri = j.value("uri", "");
        r.driver = j.value("driver", "");
        r.pool = j.value("pool", "");
        r.pool_path = j.value("pool_path", "");
        r.overlays = j.value("overlays", std::vector<std::string>{});
        for (const auto& host : j.value("hosts", nlohmann::json::array()))
            r.hosts.push_back(
                {host.value("name", ""), host.value("uri", ""), host.value("underlay", "")});
        r.placement = j.value("placement", std::map<std::string, std::string>{});
        r.spanning_networks = j.value("spanning_networks", std::vector<std::string>{});
        return r;
    } catch (const nlohmann::json::exception& error) {
        throw InfraError("the lab state file " + path.string() + " is damaged: " + error.what(), {},
                         "state");
    }
}

void save_record(const fs::path& state_dir, const LabRecord& r) {
    nlohmann::json j = {{"lab", r.lab},          {"file", r.file}, {"uri", r.uri},
                        {"driver", r.driver},    {"pool", r.pool}, {"pool_path", r.pool_path},
                        {"overlays", r.overlays}};
    // Only a lab across hosts has these: a one-host lab's record stays as it always was.
    if (!r.hosts.empty()) {
        nlohmann::json hosts = nlohmann::json::array();
        for (const auto& host : r.hosts)
            hosts.push_back({{"name", host.name}, {"uri", host.uri}, {"underlay", host.underlay}});
        j["hosts"] = hosts;
        j["placement"] = r.placement;
        j["spanning_networks"] = r.spanning_networks;
    }
    util::write_file_atomic(record_path(state_dir), j.dump(2) + "\n", 0600);
}

LabLock::LabLock(const fs::path& state_dir, const std::string& lab, const std::string& command) {
    util::make_dirs(state_dir, 0700);
    lock_ = std::make_unique<util::LockFile>(state_dir / "lock");
    std::string me = "labctl " + command + " (pid " + std::to_string(::getpid()) + ")";
    if (!lock_->try_acquire(me))
        throw LockedError("lab `" + lab + "` is locked by " + lock_->holder() +
                          "; wait for it to finish");
}

}  // namespace labctl::engine

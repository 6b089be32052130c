#include "engine/snapshot_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/random.hpp"

namespace labctl::engine {

namespace fs = std::filesystem;

namespace {

// What of the state dir a snapshot carries: what the guests' disks must agree with (the lab's
// key and the host keys pinned for the nodes, the secrets and certificates provisioned into
// them) and the user's stopped nodes. Not the record of libvirt objects, which a snapshot does
// not change, nor netem.json, which describes the host's live qdiscs.
const std::vector<std::string>& saved_state_entries() {
    static const std::vector<std::string> entries = {"ssh", "stopped.json", "secrets", "ca"};
    return entries;
}

}  // namespace

void remove_tree(const fs::path& path) {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec)
        throw InfraError("cannot remove " + path.string() + ": " + ec.message(), {}, "snapshot");
}

bool is_snapshot_name(std::string_view name) {
    return store::is_lab_name(name);
}

void check_snapshot_name(const std::string& name) {
    if (!is_snapshot_name(name))
        throw InputError("bad snapshot name `" + name +
                         "`: a snapshot name matches ^[a-z][a-z0-9-]{0,30}$");
}

fs::path snapshots_dir(const fs::path& state_dir) {
    return state_dir / "snapshots";
}

fs::path snapshot_dir(const fs::path& state_dir, const std::string& name) {
    check_snapshot_name(name);
    return snapshots_dir(state_dir) / name;
}

fs::path partial_snapshot_dir(const fs::path& state_dir, const std::string& name) {
    check_snapshot_name(name);
    return snapshots_dir(state_dir) / ("." + name + ".partial");
}

std::string libvirt_snapshot_name(const std::string& name) {
    check_snapshot_name(name);
    return "labctl-" + name;
}

nlohmann::json to_json(const SnapshotInfo& info) {
    return {{"name", info.name},      {"created", info.created}, {"size_bytes", info.size_bytes},
            {"nodes", info.nodes},    {"running", info.running}, {"driver", info.driver},
            {"seconds", info.seconds}};
}

SnapshotInfo snapshot_from_json(const nlohmann::json& j) {
    SnapshotInfo info;
    info.name = j.at("name").get<std::string>();
    info.created = j.value("created", "");
    info.size_bytes = j.value("size_bytes", 0LL);
    info.nodes = j.value("nodes", std::vector<std::string>{});
    info.running = j.value("running", std::vector<std::string>{});
    info.driver = j.value("driver", "");
    info.seconds = j.value("seconds", 0.0);
    return info;
}

nlohmann::json snapshot_list_json(const std::string& lab, const std::vector<SnapshotInfo>& list) {
    nlohmann::json snapshots = nlohmann::json::array();
    for (const auto& info : list) snapshots.push_back(to_json(info));
    return {{"lab", lab}, {"snapshots", snapshots}};
}

std::string snapshot_list_text(const std::string& lab, const std::vector<SnapshotInfo>& list) {
    if (list.empty()) return "lab " + lab + " has no snapshot\n";
    std::size_t width = 4;
    for (const auto& info : list) width = std::max(width, info.name.size());
    std::string text =
        fmt::format("{:<{}}  {:<20}  {:>10}  {}\n", "NAME", width, "CREATED", "SIZE", "NODES");
    for (const auto& info : list) {
        std::string nodes;
        for (const auto& node : info.nodes) nodes += (nodes.empty() ? "" : ",") + node;
        text += fmt::format("{:<{}}  {:<20}  {:>10}  {}\n", info.name, width, info.created,
                            describe_bytes(info.size_bytes), nodes);
    }
    return text;
}

void write_manifest(const fs::path& dir, const SnapshotInfo& info) {
    util::write_file_atomic(dir / "manifest.json", to_json(info).dump(2) + "\n", 0600);
}

std::vector<SnapshotInfo> list_snapshots(const fs::path& state_dir) {
    std::vector<SnapshotInfo> list;
    fs::path dir = snapshots_dir(state_dir);
    if (!fs::is_directory(dir)) return list;
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::string name = entry.path().filename().string();
        fs::path manifest = entry.path() / "manifest.json";
        if (!is_snapshot_name(name) || !fs::exists(manifest)) continue;  // a partial save
        try {
            auto info = snapshot_from_json(nlohmann::json::parse(util::read_file(manifest)));
            info.name = name;
            list.push_back(std::move(info));
        } catch (const nlohmann::json::exception& error) {
            throw InfraError(
                "the snapshot manifest " + manifest.string() + " is damaged: " + error.what(), {},
                "snapshot");
        }
    }
    std::sort(list.begin(), list.end(), [](const SnapshotInfo& a, const SnapshotInfo& b) {
        return std::tie(a.created, a.name) < std::tie(b.created, b.name);
    });
    return list;
}

SnapshotInfo require_snapshot(const fs::path& state_dir, const std::string& lab,
                              const std::string& name) {
    check_snapshot_name(name);
    for (auto& info : list_snapshots(state_dir))
        if (info.name == name) return info;
    throw InputError("lab " + lab + " has no snapshot `" + name +
                     "` (`labctl snapshot list` shows them)");
}

void save_lab_state(const fs::path& state_dir, const fs::path& dest) {
    util::make_dirs(dest, 0700);
    for (const auto& entry : saved_state_entries())
        if (fs::exists(fs::symlink_status(state_dir / entry)))
            copy_tree(state_dir / entry, dest / entry, {}, "snapshot save");
}

void restore_lab_state(const fs::path& saved, const fs::path& state_dir) {
    for (const auto& entry : saved_state_entries()) {
        fs::path target = state_dir / entry;
        fs::path aside = state_dir / ("." + entry + ".old." + util::random_token(6));
        bool had = fs::exists(fs::symlink_status(target));
        if (!fs::exists(fs::symlink_status(saved / entry))) {
            // Not there at the save (no stopped node, say): not there after the restore.
            if (had) remove_tree(target);
            continue;
        }
        fs::path incoming = state_dir / ("." + entry + ".new." + util::random_token(6));
        copy_tree(saved / entry, incoming, {}, "snapshot restore");
        // A rename cannot replace a non-empty directory: the old one steps aside first.
        if (had) fs::rename(target, aside);
        fs::rename(incoming, target);
        if (had) remove_tree(aside);
    }
}

void copy_tree(const fs::path& source, const fs::path& dest, const std::string& node,
               const std::string& step) {
    auto result = util::run_process({"cp", "-a", "--", source.string(), dest.string()});
    if (result.exit_code != 0)
        throw InfraError(
            "cannot copy " + source.string() + " to " + dest.string() + ": " + result.err, node,
            step);
}

long long tree_bytes(const fs::path& path) {
    std::error_code ec;
    auto status = fs::symlink_status(path, ec);
    if (ec) return 0;
    if (fs::is_regular_file(status)) return static_cast<long long>(fs::file_size(path, ec));
    if (!fs::is_directory(status)) return 0;
    long long total = 0;
    for (auto it = fs::recursive_directory_iterator(path, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && !it->is_symlink(ec))
            total += static_cast<long long>(it->file_size(ec));
    }
    return total;
}

std::string describe_bytes(long long bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = -1;
    while (value >= 1024 && unit < 3) {
        value /= 1024;
        ++unit;
    }
    return fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace labctl::engine

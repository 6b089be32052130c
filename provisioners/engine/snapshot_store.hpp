// A lab's snapshots (`labctl snapshot`), kept in its state dir so `down` removes them with
// the lab:
//   STATE_DIR/snapshots/NAME/manifest.json   name, when, size, nodes, driver
//   STATE_DIR/snapshots/NAME/state/          labctl's own state at that moment (keys, pinned
//                                            host keys, the user's stopped nodes, secrets, CA)
//   STATE_DIR/snapshots/NAME/upper/NODE/     lxc: the node's overlay upper layer
// A VM's disks are saved inside its qcow2 (libvirt internal snapshots named labctl-NAME).
// A save is written to snapshots/.NAME.partial and renamed when complete: an interrupted save
// leaves no snapshot, and the next save of that name starts over.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace labctl::engine {

struct SnapshotInfo {
    std::string name;
    std::string created;  // ISO 8601, UTC
    long long size_bytes = 0;
    std::vector<std::string> nodes;    // file order
    std::vector<std::string> running;  // the nodes whose domain ran at the save
    std::string driver;                // qemu | kvm | lxc
    double seconds = 0;                // how long the save took
};

// SPEC's name rule (^[a-z][a-z0-9-]{0,30}$): a snapshot name is a directory and part of a
// libvirt snapshot name.
bool is_snapshot_name(std::string_view name);
// InputError (exit 2) naming the rule.
void check_snapshot_name(const std::string& name);

std::filesystem::path snapshots_dir(const std::filesystem::path& state_dir);
std::filesystem::path snapshot_dir(const std::filesystem::path& state_dir, const std::string& name);
std::filesystem::path partial_snapshot_dir(const std::filesystem::path& state_dir,
                                           const std::string& name);
// The libvirt snapshot of a VM for snapshot NAME; labctl touches no other.
std::string libvirt_snapshot_name(const std::string& name);

nlohmann::json to_json(const SnapshotInfo& info);
SnapshotInfo snapshot_from_json(const nlohmann::json& j);
// `snapshot list --json`: {"lab": LAB, "snapshots": [{name, created, size_bytes, nodes, ...}]}.
nlohmann::json snapshot_list_json(const std::string& lab, const std::vector<SnapshotInfo>& list);
// `snapshot list`: one line per snapshot, or a line saying there is none.
std::string snapshot_list_text(const std::string& lab, const std::vector<SnapshotInfo>& list);

void write_manifest(const std::filesystem::path& dir, const SnapshotInfo& info);
// Every complete snapshot, oldest first (partial saves are not listed).
std::vector<SnapshotInfo> list_snapshots(const std::filesystem::path& state_dir);
// InputError (exit 2) when the lab has no snapshot NAME.
SnapshotInfo require_snapshot(const std::filesystem::path& state_dir, const std::string& lab,
                              const std::string& name);

// Copies the lab's own state files (not the libvirt record, the lock or the live netem state)
// from STATE_DIR into DEST, and back: each entry replaced whole by rename.
void save_lab_state(const std::filesystem::path& state_dir, const std::filesystem::path& dest);
void restore_lab_state(const std::filesystem::path& saved, const std::filesystem::path& state_dir);

// `cp -a SOURCE DEST` (owners, modes, times, xattrs such as overlayfs' opaque marks, device
// nodes such as its whiteouts); DEST must not exist. Throws InfraError(node, step).
void copy_tree(const std::filesystem::path& source, const std::filesystem::path& dest,
               const std::string& node, const std::string& step);
// rm -rf PATH (a no-op when absent); InfraError naming it on failure.
void remove_tree(const std::filesystem::path& path);
// Bytes of the regular files under PATH (links not followed).
long long tree_bytes(const std::filesystem::path& path);
// "0 B", "12.0 KiB", "3.4 MiB", "1.2 GiB".
std::string describe_bytes(long long bytes);

}  // namespace labctl::engine

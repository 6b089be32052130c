// The lab's state directory (store::lab_state_dir, 0700) and what labctl records there before
// it creates anything: the libvirt URI and driver (so `down --lab NAME` works without the lab
// file), the storage pool (pools carry no <metadata> tag) and the overlay mount points.
// Domains and networks are found by their tag; the record is the second, independent proof
// of ownership for the objects that cannot carry one.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/files.hpp"

namespace labctl::engine {

// One host of a lab that spans hosts (SPEC.md section 6).
struct RecordedHost {
    std::string name;
    std::string uri;
    std::string underlay;
    friend bool operator==(const RecordedHost&, const RecordedHost&) = default;
};

struct LabRecord {
    std::string lab;
    std::string file;    // absolute topology path
    std::string uri;     // libvirt URI used by `up`
    std::string driver;  // qemu | kvm | lxc
    std::string pool;    // storage pool name, empty for lxc
    std::string pool_path;
    std::vector<std::string> overlays;  // merged mount points, lxc
    // A lab across hosts: every host (`uri` is the gateway host's), where each node runs, and
    // the networks joined over VXLAN. Empty for a lab on one libvirt.
    std::vector<RecordedHost> hosts;
    std::map<std::string, std::string> placement;  // node -> host
    std::vector<std::string> spanning_networks;    // the lab file's network names

    friend bool operator==(const LabRecord&, const LabRecord&) = default;
};

std::filesystem::path record_path(const std::filesystem::path& state_dir);
std::optional<LabRecord> load_record(const std::filesystem::path& state_dir);
// Atomic (temp + rename), 0600.
void save_record(const std::filesystem::path& state_dir, const LabRecord& record);

// Creates the state dir (0700) and holds its `lock` for the object's lifetime. Throws
// LockedError (exit 4) at once, naming the holder, when another labctl holds it.
class LabLock {
  public:
    LabLock(const std::filesystem::path& state_dir, const std::string& lab,
            const std::string& command);

  private:
    std::unique_ptr<util::LockFile> lock_;
};

}  // namespace labctl::engine

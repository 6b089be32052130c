#include "engine/lxc_cgroups.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <system_error>
#include <vector>

namespace labctl::engine {

namespace fs = std::filesystem;

namespace {

// libvirt's name for a container's cgroup: lxc-<controller pid>-<domain>.libvirt-lxc.
bool is_container_cgroup(const std::string& name, const std::string& domain) {
    const std::string prefix = "lxc-", suffix = "-" + domain + ".libvirt-lxc";
    if (name.size() <= prefix.size() + suffix.size()) return false;
    if (!name.starts_with(prefix) || !name.ends_with(suffix)) return false;
    auto pid = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    return std::all_of(pid.begin(), pid.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A cgroup directory cannot be emptied of its control files, only rmdir'ed once its
// children are gone and no process is in it.
bool remove_tree(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> children;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec) && !it->is_symlink(ec)) children.push_back(it->path());
    bool all = true;
    for (const auto& child : children) all = remove_tree(child) && all;
    return all && ::rmdir(dir.c_str()) == 0;
}

}  // namespace

int remove_container_cgroups(const fs::path& cgroup_root, const std::string& domain) {
    int removed = 0;
    std::error_code ec;
    for (fs::directory_iterator h(cgroup_root, ec), end; !ec && h != end; h.increment(ec)) {
        fs::path machine = h->path() / "machine";
        std::error_code inner;
        if (!fs::is_directory(machine, inner)) continue;
        std::vector<fs::path> trees;
        for (fs::directory_iterator c(machine, inner); !inner && c != end; c.increment(inner))
            if (is_container_cgroup(c->path().filename().string(), domain))
                trees.push_back(c->path());
        for (const auto& tree : trees)
            if (remove_tree(tree)) ++removed;
    }
    return removed;
}

}  // namespace labctl::engine

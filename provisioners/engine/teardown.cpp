#include "engine/teardown.hpp"

#include <utility>
#include <vector>

#include "engine/inventory.hpp"
#include "engine/lxc_cgroups.hpp"
#include "engine/network_leftovers.hpp"
#include "engine/overlay.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

namespace labctl::engine {

namespace fs = std::filesystem;

namespace {
// Only paths inside the lab's state dir are ever removed recursively.
void remove_inside(const fs::path& state_dir, const fs::path& path) {
    auto rel = path.lexically_normal().lexically_relative(state_dir.lexically_normal());
    if (rel.empty() || rel.native().rfind("..", 0) == 0) return;
    if (is_mount_point(path)) throw InfraError(path.string() + " is still mounted", {}, "overlay");
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) throw InfraError("cannot remove " + path.string() + ": " + ec.message(), {}, "cleanup");
}
}  // namespace

int teardown_lab(virt::Connection& connection, const std::string& lab, const fs::path& state_dir,
                 const std::optional<LabRecord>& record, const TeardownOptions& options,
                 util::Reporter& report) {
    int removed = 0;
    auto say = [&](const std::string& what) { report.step(what); };
    Inventory inventory = take_inventory(connection, lab);

    // All domains at once: stopping one mostly waits for its processes to exit (about 2 s
    // per LXC container measured here), so a 9-node lab goes down in the time of one.
    std::vector<std::pair<std::string, virDomainPtr>> domains;
    for (auto& [node, domain] : inventory.domains) domains.emplace_back(node, domain.get());
    util::parallel_for(domains.size(), domains.size(), [&](size_t k) {
        const auto& [node, domain] = domains[k];
        std::string name = virt::Connection::name_of(domain);
        connection.remove_domain(domain, node);
        remove_container_cgroups(host_cgroup_root, name);
        say("domain " + name + "  removed");
    });
    removed += static_cast<int>(domains.size());

    // Overlays: recorded mount points, plus any left under the state dir by an older record.
    std::vector<fs::path> overlays;
    if (record)
        for (const auto& merged : record->overlays) overlays.emplace_back(merged);
    if (fs::is_directory(state_dir / "overlays"))
        for (const auto& entry : fs::directory_iterator(state_dir / "overlays"))
            overlays.push_back(entry.path() / "merged");
    for (const auto& merged : overlays) {
        if (merged.lexically_normal()
                .lexically_relative(state_dir.lexically_normal())
                .native()
                .rfind("..", 0) == 0)
            continue;  // a record naming a path outside our state dir is not trusted
        std::string node = merged.parent_path().filename().string();
        if (is_mount_point(merged)) {
            unmount_overlay(merged, node);
            say("overlay " + node + "  unmounted");
            ++removed;
        }
    }
    if (!options.keep_disks && fs::exists(state_dir / "overlays")) {
        remove_inside(state_dir, state_dir / "overlays");
        say("overlays  removed");
        ++removed;
    }

    if (!options.keep_disks && record && !record->pool.empty()) {
        if (auto pool = owned_pool(connection, record->pool, record->pool_path)) {
            connection.remove_pool(pool.get(), "pool");
            say("pool " + record->pool + "  removed with its volumes");
            ++removed;
        }
    }
    if (!options.keep_disks) {
        for (const char* dir : {"disks", "seeds", "snapshots"})
            if (fs::exists(state_dir / dir)) {
                remove_inside(state_dir, state_dir / dir);
                ++removed;
            }
    }

    for (auto& [name, network] : inventory.networks) {
        // Before the network is undefined: its bridge name and address prove a leftover is its
        // own, and a removal that fails leaves the network defined for the next `down`.
        auto leftovers = find_network_leftovers(connection, network.get(), lab);
        if (!leftovers.empty()) {
            remove_network_leftovers(leftovers, "network");
            say("network " + name + "  leftovers of a stopped libvirtd removed (" +
                leftovers.describe() + ")");
        }
        connection.remove_network(network.get(), "network");
        say("network " + name + "  removed");
        ++removed;
    }

    // Keep where the lab lived (URI, driver) so a second `down` or `status` talks to the same
    // libvirt and finds nothing; forget the pool and overlays, which are gone.
    if (record && !options.keep_disks) {
        LabRecord rest = *record;
        rest.pool.clear();
        rest.pool_path.clear();
        rest.overlays.clear();
        if (!(rest == *record)) save_record(state_dir, rest);
    }
    return removed;
}

}  // namespace labctl::engine

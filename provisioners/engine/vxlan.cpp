#include "engine/vxlan.hpp"

#include "util/error.hpp"

namespace labctl::engine {

namespace {
// `ip -o link show` ends a device's line with "alias TEXT" when it has one.
bool carries_alias(const std::string& line, const std::string& alias) {
    auto at = line.find("alias " + alias);
    if (at == std::string::npos) return false;
    auto end = at + 6 + alias.size();
    return end == line.size() || line[end] == '\n' || line[end] == ' ' || line[end] == '\\';
}
}  // namespace

bool ensure_vxlan(HostAccess& host, const VxlanLink& link) {
    std::string shown;
    bool changed = false;
    if (host.run({"ip", "-o", "link", "show", "dev", link.device}, &shown) == 0) {
        if (!carries_alias(shown, link.alias))
            throw InfraError("host " + host.host() + ": device " + link.device +
                                 " exists but is not labctl's for " + link.alias +
                                 "; labctl does not touch it",
                             {}, "vxlan");
    } else {
        host.check({"ip", "link", "add", link.device, "type", "vxlan", "id",
                    std::to_string(link.vni), "local", link.local, "dstport", "4789"},
                   "vxlan");
        host.check({"ip", "link", "set", "dev", link.device, "alias", link.alias}, "vxlan");
        changed = true;
    }
    // Every peer once (append is a no-op for an entry that exists): broadcast, unknown
    // unicast and DHCP reach each other host; learned entries take over after that.
    for (const auto& peer : link.peers)
        host.check(
            {"bridge", "fdb", "append", "00:00:00:00:00:00", "dev", link.device, "dst", peer},
            "vxlan");
    if (link.mtu > 0)
        host.check({"ip", "link", "set", "dev", link.device, "mtu", std::to_string(link.mtu)},
                   "vxlan");
    host.check({"ip", "link", "set", "dev", link.device, "master", link.bridge, "up"}, "vxlan");
    return changed;
}

bool remove_vxlan(HostAccess& host, const std::string& device, const std::string& alias) {
    std::string shown;
    if (host.run({"ip", "-o", "link", "show", "dev", device}, &shown) != 0) return false;
    if (!carries_alias(shown, alias)) return false;  // not ours: left alone
    host.check({"ip", "link", "del", "dev", device}, "vxlan");
    return true;
}

}  // namespace labctl::engine

// A lab's port forwards on the host running labctl (`[lab] forward`): one nftables table per
// lab, `table ip labctl-LAB`, that labctl alone writes. `up` replaces it whole (nft -f, one
// transaction) only when its fingerprint (the table's comment) differs from what the lab
// wants; `down` deletes it by name, so it needs no lab file. Each rule's comment
// `labctl-forward HOSTPORT NODE:PORT` says which port a lab holds, so another lab's `up` can
// refuse the same port before it changes anything.
//
// Connections from the host itself (to 127.0.0.1:HOSTPORT or any of its addresses) are DNATed
// in the output hook; other hosts' connections would meet libvirt's FORWARD reject. A
// packet from 127.0.0.1 may leave through the lab's bridge only with the bridge's
// route_localnet sysctl on, and is then masqueraded to the bridge's address. The table also
// drops anything arriving on those bridges that claims a 127/8 address, which is what
// route_localnet would otherwise let a guest send (README: "Port forwards").
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace labctl::engine {

// "labctl-LAB".
std::string forward_table(const std::string& lab);

// A forward some lab's table holds now, read back from its rule comments.
struct InstalledForward {
    std::string lab;
    int host_port = 0;
    std::string target;  // NODE:PORT
    friend bool operator==(const InstalledForward&, const InstalledForward&) = default;
};

// The rule comment of one forward, and back (nullopt for any other comment).
std::string forward_comment(int host_port, const std::string& target);
std::optional<InstalledForward> parse_forward_comment(const std::string& table,
                                                      const std::string& comment);

// True when the `nft` program is installed.
bool nft_available();
// Every labctl forward table's forwards (this network namespace), from `nft -j`.
std::vector<InstalledForward> installed_forwards();
// The comment of LAB's table (its fingerprint), nullopt when there is no such table.
std::optional<std::string> forward_table_comment(const std::string& lab);
// Loads the rendered ruleset FILE (`nft -f`); throws InfraError with nft's message.
void load_nft_file(const std::filesystem::path& file);
// Deletes LAB's table; false when it did not exist (or nft is not installed: then labctl
// cannot have made one).
bool remove_forward_table(const std::string& lab);

// TCP ports with a listening socket in this network namespace (/proc/net/tcp and tcp6).
std::set<int> listening_tcp_ports();
// /proc/net/tcp's text -> its listening ports (also for tcp6's).
std::set<int> parse_listening_ports(const std::string& proc_net_tcp);

// net.ipv4.conf.BRIDGE.route_localnet = 1 unless it is; false when it already was.
bool enable_route_localnet(const std::string& bridge);

}  // namespace labctl::engine

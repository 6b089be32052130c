#include "engine/network_leftovers.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"
#include "virt/tag.hpp"
#include "virt/xml_query.hpp"

namespace labctl::engine {

namespace fs = std::filesystem;

namespace {

// How long an orphaned dnsmasq gets to exit on SIGTERM before SIGKILL (it exits at once).
constexpr int kDnsmasqGraceMs = 5000;

struct IfaddrsDeleter {
    void operator()(ifaddrs* list) const { ::freeifaddrs(list); }
};

// True when interface NAME in this network namespace has IPv4 ADDRESS with NETMASK.
bool has_address(const std::string& name, const std::string& address, const std::string& netmask) {
    ifaddrs* raw = nullptr;
    if (::getifaddrs(&raw) != 0) return false;
    std::unique_ptr<ifaddrs, IfaddrsDeleter> list(raw);
    for (const ifaddrs* a = list.get(); a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !a->ifa_netmask ||
            name != a->ifa_name)
            continue;
        char addr[INET_ADDRSTRLEN] = {}, mask[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr, addr,
                    sizeof addr);
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a->ifa_netmask)->sin_addr, mask,
                    sizeof mask);
        if (address == addr && netmask == mask) return true;
    }
    return false;
}

std::string read_link(const fs::path& path) {
    std::error_code ec;
    auto target = fs::read_symlink(path, ec);
    return ec ? std::string() : target.string();
}

// The dnsmasq processes in labctl's network namespace that libvirt started for NETWORK: their
// command line names libvirt's config file of that network (.../dnsmasq/NETWORK.conf).
std::vector<pid_t> find_dnsmasq(const std::string& network) {
    std::vector<pid_t> found;
    const std::string own_netns = read_link("/proc/self/ns/net");
    const std::string conf_suffix = "/dnsmasq/" + network + ".conf";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string pid_text = entry.path().filename().string();
        if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::string comm;
        try {
            comm = util::trim(util::read_file(entry.path() / "comm"));
        } catch (const std::exception&) {
            continue;  // the process ended meanwhile
        }
        if (comm != "dnsmasq" || own_netns.empty() ||
            read_link(entry.path() / "ns/net") != own_netns)
            continue;
        std::string cmdline;
        try {
            cmdline = util::read_file(entry.path() / "cmdline");
        } catch (const std::exception&) {
            continue;
        }
        for (const auto& arg : util::split(cmdline, '\0')) {
            if (arg.rfind("--conf-file=", 0) == 0 && arg.size() > conf_suffix.size() &&
                arg.compare(arg.size() - conf_suffix.size(), conf_suffix.size(), conf_suffix) ==
                    0) {
                found.push_back(static_cast<pid_t>(std::stol(pid_text)));
                break;
            }
        }
    }
    return found;
}

// Through a pidfd, so a pid reused meanwhile is never signalled.
void stop_process(pid_t pid, const std::string& network, const std::string& step) {
    util::Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) return;  // gone already
    if (::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGTERM, nullptr, 0) != 0) return;
    pollfd exited{pidfd.get(), POLLIN, 0};
    if (::poll(&exited, 1, kDnsmasqGraceMs) == 1) return;
    ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
    if (::poll(&exited, 1, kDnsmasqGraceMs) != 1)
        throw InfraError("network " + network + ": its orphaned dnsmasq (pid " +
                             std::to_string(pid) + ") does not exit",
                         {}, step);
}

bool is_leftover_error(const std::string& message) {
    return message.find("File exists") != std::string::npos ||
           message.find("already in use by interface") != std::string::npos;
}

}  // namespace

std::string NetworkLeftovers::describe() const {
    std::vector<std::string> parts;
    if (!bridge.empty()) parts.push_back("bridge " + bridge);
    for (pid_t pid : dnsmasq) parts.push_back("dnsmasq (pid " + std::to_string(pid) + ")");
    return util::join(parts, " and ");
}

bool is_local_uri(const std::string& uri) {
    auto scheme_end = uri.find("://");
    return scheme_end != std::string::npos && uri.compare(scheme_end, 4, ":///") == 0 &&
           uri.rfind("test:", 0) != 0;
}

NetworkLeftovers find_network_leftovers(const virt::Connection& connection, virNetworkPtr network,
                                        const std::string& lab) {
    NetworkLeftovers leftovers;
    leftovers.network = virt::Connection::name_of(network);
    if (!is_local_uri(connection.uri()) || virt::Connection::is_active(network)) return leftovers;
    const std::string xml = virt::Connection::xml_of(network);
    auto tag = virt::read_tag(xml);
    if (!tag || tag->lab != lab) return leftovers;
    virt::XmlDoc doc(xml);
    const std::string bridge = doc.value("/network/bridge/@name");
    const std::string address = doc.value("/network/ip/@address");
    const std::string netmask = doc.value("/network/ip/@netmask");
    if (!bridge.empty() && ::if_nametoindex(bridge.c_str()) != 0 && !address.empty() &&
        has_address(bridge, address, netmask))
        leftovers.bridge = bridge;
    leftovers.dnsmasq = find_dnsmasq(leftovers.network);
    return leftovers;
}

void remove_network_leftovers(const NetworkLeftovers& leftovers, const std::string& step) {
    // dnsmasq first: it holds the bridge's address and would answer DHCP on a new one.
    for (pid_t pid : leftovers.dnsmasq) stop_process(pid, leftovers.network, step);
    if (leftovers.bridge.empty() || ::if_nametoindex(leftovers.bridge.c_str()) == 0) return;
    auto result = util::run_process({"ip", "link", "delete", "dev", leftovers.bridge});
    if (result.exit_code != 0)
        throw InfraError("network " + leftovers.network + ": cannot delete its leftover bridge " +
                             leftovers.bridge + ": " + util::trim(result.err),
                         {}, step);
}

void start_network_clearing_leftovers(virt::Connection& connection, virNetworkPtr network,
                                      const std::string& lab, const std::string& step,
                                      const std::function<void(const std::string&)>& say) {
    try {
        connection.start_network(network, step);
        return;
    } catch (const InfraError& error) {
        if (!is_leftover_error(error.what())) throw;
        auto leftovers = find_network_leftovers(connection, network, lab);
        if (leftovers.bridge.empty())
            throw InfraError(
                std::string(error.what()) +
                    "\n  a libvirtd that stopped while this network ran may have left its bridge "
                    "behind, and it is not provably labctl's from here: run `labctl down` then "
                    "`labctl up` on the libvirt host, in libvirt's network namespace",
                error.node(), error.step());
        say("network " + leftovers.network +
            "  start failed: removing what a stopped libvirtd left of it (" + leftovers.describe() +
            ")");
        remove_network_leftovers(leftovers, step);
    }
    connection.start_network(network, step);
}

}  // namespace labctl::engine

#include "engine/netem.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "virt/xml_query.hpp"

namespace labctl::engine {

namespace {

// The ingress qdisc's handle, and the preference of labctl's redirect filter on it.
constexpr const char* kIngressHandle = "ffff:";
constexpr const char* kFilterPref = "49";

// ARGV on HOST, its failure as the node's netem step; a kernel without the netem qdisc is
// named as such (tc's own "qdisc kind is unknown" says little).
void check(HostAccess& host, const Argv& argv, const std::string& node) {
    try {
        host.check(argv, "netem");
    } catch (const InfraError& error) {
        std::string what = error.what();
        if (what.find("qdisc kind is unknown") != std::string::npos)
            throw InfraError(
                "the kernel of host " + host.host() +
                    " has no netem qdisc (CONFIG_NET_SCH_NETEM, module sch_netem): " + what,
                node, "netem");
        throw InfraError(what, node, "netem");
    }
}

bool device_exists(HostAccess& host, const std::string& dev) {
    return host.run({"ip", "link", "show", "dev", dev}) == 0;
}

// The qdisc line of kind netem at DEV's root, or "".
std::string root_netem(HostAccess& host, const std::string& dev) {
    std::string out;
    if (host.run({"tc", "qdisc", "show", "dev", dev, "root"}, &out) != 0) return "";
    for (const auto& line : util::split(out, '\n'))
        if (line.rfind("qdisc netem ", 0) == 0) return util::trim(line);
    return "";
}

bool has_ingress(HostAccess& host, const std::string& dev) {
    std::string out;
    return host.run({"tc", "qdisc", "show", "dev", dev, "ingress"}, &out) == 0 &&
           out.find("qdisc ingress ffff:") != std::string::npos;
}

}  // namespace

std::string ifb_name(const std::string& lab, const std::string& node, const std::string& network) {
    // FNV-1a (64 bits), its low 48 as 12 hex digits: stable across runs and hosts.
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : lab + "/" + node + "/" + network) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    return fmt::format("lcq{:012x}", hash & 0xffffffffffffULL);
}

Argv netem_qdisc_args(const topo::Impairment& impairment) {
    Argv args{"netem"};
    if (!impairment.delay.empty()) {
        args.insert(args.end(), {"delay", impairment.delay});
        if (!impairment.jitter.empty()) args.push_back(impairment.jitter);
    }
    if (!impairment.loss.empty()) args.insert(args.end(), {"loss", impairment.loss});
    if (!impairment.rate.empty()) args.insert(args.end(), {"rate", impairment.rate});
    return args;
}

std::vector<Argv> netem_apply_commands(const std::string& dev, const std::string& ifb,
                                       const topo::Impairment& impairment) {
    auto qdisc = netem_qdisc_args(impairment);
    auto root = [&](const std::string& on) {
        Argv argv{"tc", "qdisc", "replace", "dev", on, "root"};
        argv.insert(argv.end(), qdisc.begin(), qdisc.end());
        return argv;
    };
    return {
        root(dev),
        {"ip", "link", "set", "dev", ifb, "up"},
        root(ifb),
        {"tc", "qdisc", "replace", "dev", dev, "handle", kIngressHandle, "ingress"},
        {"tc",           "filter",   "replace",   "dev",      dev,      "parent",
         kIngressHandle, "pref",     kFilterPref, "protocol", "all",    "u32",
         "match",        "u32",      "0",         "0",        "action", "mirred",
         "egress",       "redirect", "dev",       ifb},
    };
}

std::string host_device(virDomainPtr domain, const std::string& mac, const std::string& node) {
    if (virt::Connection::state_of(domain) != virt::DomainState::running)
        throw InfraError("the node is not running: start it first (labctl start " + node + ")",
                         node, "netem");
    virt::XmlDoc live(virt::Connection::xml_of(domain));
    std::string dev =
        live.value("/domain/devices/interface[mac/@address='" + mac + "']/target/@dev");
    if (dev.empty())
        throw InfraError("libvirt reports no host device for the NIC with MAC " + mac, node,
                         "netem");
    return dev;
}

void apply_netem(HostAccess& host, const NetemLink& link, const topo::Impairment& impairment) {
    if (!device_exists(host, link.ifb))
        check(host, {"ip", "link", "add", link.ifb, "type", "ifb"}, link.node);
    for (const auto& argv : netem_apply_commands(link.dev, link.ifb, impairment))
        check(host, argv, link.node);
}

void reset_netem(HostAccess& host, const NetemLink& link) {
    if (!link.dev.empty() && device_exists(host, link.dev)) {
        if (!root_netem(host, link.dev).empty())
            check(host, {"tc", "qdisc", "del", "dev", link.dev, "root"}, link.node);
        // Only labctl's filter; the ingress qdisc goes when nothing else is attached to it.
        if (has_ingress(host, link.dev)) {
            host.run({"tc", "filter", "del", "dev", link.dev, "parent", kIngressHandle, "pref",
                      kFilterPref});
            std::string left;
            host.run({"tc", "filter", "show", "dev", link.dev, "parent", kIngressHandle}, &left);
            if (util::trim(left).empty())
                check(host,
                      {"tc", "qdisc", "del", "dev", link.dev, "handle", kIngressHandle, "ingress"},
                      link.node);
        }
    }
    remove_ifb(host, link.ifb);
}

bool remove_ifb(HostAccess& host, const std::string& ifb) {
    // Our names only: a device whose name is not lcq + 12 hex digits is never removed here.
    if (ifb.size() != 15 || ifb.rfind("lcq", 0) != 0) return false;
    if (!device_exists(host, ifb)) return false;
    check(host, {"ip", "link", "del", "dev", ifb}, {});
    return true;
}

std::string show_netem(HostAccess& host, const NetemLink& link) {
    std::string to_guest = link.dev.empty() ? "" : root_netem(host, link.dev);
    std::string from_guest = device_exists(host, link.ifb) ? root_netem(host, link.ifb) : "";
    if (to_guest.empty() && from_guest.empty()) return "none";
    return "to guest: " + (to_guest.empty() ? "none" : to_guest) +
           "; from guest: " + (from_guest.empty() ? "none" : from_guest);
}

std::map<std::string, NetemRecord> load_netem(const std::filesystem::path& state_dir) {
    std::map<std::string, NetemRecord> records;
    auto path = state_dir / "netem.json";
    if (!std::filesystem::exists(path)) return records;
    auto json = nlohmann::json::parse(util::read_file(path), nullptr, false);
    if (!json.is_object()) return records;
    for (const auto& [key, value] : json.items()) {
        if (!value.is_object()) continue;
        NetemRecord record;
        record.impairment.delay = value.value("delay", "");
        record.impairment.jitter = value.value("jitter", "");
        record.impairment.loss = value.value("loss", "");
        record.impairment.rate = value.value("rate", "");
        record.ifb = value.value("ifb", "");
        records[key] = record;
    }
    return records;
}

void save_netem(const std::filesystem::path& state_dir,
                const std::map<std::string, NetemRecord>& records) {
    auto path = state_dir / "netem.json";
    if (records.empty()) {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        return;
    }
    nlohmann::json json = nlohmann::json::object();
    for (const auto& [key, record] : records)
        json[key] = {{"delay", record.impairment.delay},
                     {"jitter", record.impairment.jitter},
                     {"loss", record.impairment.loss},
                     {"rate", record.impairment.rate},
                     {"ifb", record.ifb}};
    util::write_file_atomic(path, json.dump(2) + "\n", 0600);
}

}  // namespace labctl::engine

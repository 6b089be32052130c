#include "labfile/loader.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "labfile/validator.hpp"
#include "services/registry.hpp"
#include "topology/address_plan.hpp"
#include "topology/check_loader.hpp"
#include "topology/toml_reader.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::labfile {

using namespace topo;

namespace {

const std::vector<std::string> node_keys{"networks", "image",  "memory", "vcpus",
                                         "user",     "impair", "host"};

bool is_user_name(std::string_view name) {
    if (name.empty() || name.size() > 32 || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

bool is_image_ref(std::string_view image) {
    return !image.empty() && image.size() <= 4096 &&
           std::all_of(image.begin(), image.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) ||
                      std::string_view("._-/+~").find(c) != std::string_view::npos;
           });
}

void check_name(Diagnostics& diagnostics, Pos pos, std::string_view what, std::string_view name) {
    if (!is_valid_name(name))
        diagnostics.error(pos, "bad " + std::string(what) + " name `" + std::string(name) +
                                   "`: names must match " + name_rule);
}

class Loader {
  public:
    Loader(Diagnostics& diagnostics, Lab& lab) : diagnostics_(diagnostics), lab_(lab) {}

    void load(const toml::table& root) {
        TomlReader reader(root, "the file's top level", diagnostics_);
        if (auto table = reader.subtable("lab"))
            load_lab(*table);
        else if (!root.contains("lab"))
            diagnostics_.error({1, 1}, "missing table [lab] with the lab's `name`");
        if (auto table = reader.subtable("hosts")) load_hosts(*table);
        if (auto table = reader.subtable("networks")) load_networks(*table);
        if (auto table = reader.subtable("defaults")) load_defaults(*table);
        if (auto table = reader.subtable("nodes"))
            load_nodes(*table);
        else if (!root.contains("nodes"))
            diagnostics_.error({1, 1}, "missing table [nodes]: a lab needs at least one node");
        if (auto table = reader.subtable("services")) load_services(*table);
        if (auto checks = reader.get("checks")) load_checks(*checks, lab_, diagnostics_);
        if (auto table = reader.subtable("class")) load_class(*table);
        reader.finish();
    }

  private:
    void load_lab(const toml::table& table) {
        TomlReader reader(table, "[lab]", diagnostics_);
        if (auto name = reader.string("name")) {
            lab_.lab.name = *name;
            lab_.lab.pos = reader.value_pos("name");
            check_name(diagnostics_, lab_.lab.pos, "lab", *name);
        } else if (!table.contains("name")) {
            diagnostics_.error(reader.pos(), "missing key `name` in [lab]");
        }
        if (auto connect = reader.string("connect")) {
            if (connect->empty() || !kinds_printable(*connect) ||
                connect->find(' ') != std::string::npos)
                diagnostics_.error(reader.value_pos("connect"),
                                   "`connect` must be a libvirt URI such as qemu:///system");
            else {
                lab_.lab.connect = *connect;
                lab_.lab.connect_pos = reader.value_pos("connect");
            }
        }
        if (auto driver = reader.string("driver")) {
            if (auto parsed = parse_driver(*driver))
                lab_.lab.driver = *parsed;
            else
                diagnostics_.error(
                    reader.value_pos("driver"),
                    "unknown driver `" + *driver + "` (known: auto, kvm, qemu, lxc)");
        }
        if (auto forward = reader.get("forward")) read_forwards(*forward);
        reader.finish();
    }

    // forward = { "8443" = "lb:443" }: host port = "NODE:PORT". Whether NODE exists is the
    // validator's question (nodes come later in the file).
    void read_forwards(const toml::node& forward) {
        if (!forward.is_table()) {
            diagnostics_.error(pos_of(forward),
                               "wrong type: `forward` must be a table such as { \"8443\" = "
                               "\"lb:443\" }, not " +
                                   type_name(forward));
            return;
        }
        auto port_of = [](std::string_view text) -> int {
            if (text.empty() || text.size() > 5 || text[0] == '0' ||
                !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return 0;
            int port = std::stoi(std::string(text));
            return port <= 65535 ? port : 0;
        };
        for (auto [key, value] : in_file_order(*forward.as_table())) {
            PortForward rule;
            rule.pos = pos_of(key->source());
            rule.host_port = port_of(key->str());
            bool ok = true;
            if (rule.host_port == 0) {
                diagnostics_.error(rule.pos, "forward: host port `" + std::string(key->str()) +
                                                 "` must be a number from 1 to 65535");
                ok = false;
            }
            for (const auto& earlier : lab_.lab.forwards)
                if (rule.host_port != 0 && earlier.host_port == rule.host_port) {
                    diagnostics_.error(rule.pos, "forward: host port " +
                                                     std::to_string(rule.host_port) +
                                                     " is forwarded twice");
                    ok = false;
                }
            rule.target_pos = pos_of(*value);
            const std::string* target = value->is_string() ? &value->as_string()->get() : nullptr;
            auto colon = target ? target->rfind(':') : std::string::npos;
            if (colon != std::string::npos) {
                rule.node = target->substr(0, colon);
                rule.port = port_of(std::string_view(*target).substr(colon + 1));
            }
            if (!target || colon == std::string::npos || !is_valid_name(rule.node) ||
                rule.port == 0) {
                diagnostics_.error(rule.target_pos,
                                   "forward: the target must be \"NODE:PORT\" (a node name and a "
                                   "port from 1 to 65535), such as \"lb:443\"");
                ok = false;
            }
            if (ok) lab_.lab.forwards.push_back(std::move(rule));
        }
    }

    void load_class(const toml::table& table) {
        TomlReader reader(table, "[class]", diagnostics_);
        ClassInfo info;
        bool ok = true;
        if (auto pool = reader.string("pool")) {
            info.pool_pos = reader.value_pos("pool");
            if (auto parsed = util::Subnet::parse(*pool))
                info.pool = *parsed;
            else {
                diagnostics_.error(info.pool_pos,
                                   "bad pool `" + *pool +
                                       "`: expected an IPv4 network such as 10.200.0.0/16 "
                                       "(prefix 8..30, host bits zero)");
                ok = false;
            }
        } else {
            if (!table.contains("pool"))
                diagnostics_.error(reader.pos(),
                                   "missing key `pool` in [class] (e.g. \"10.200.0.0/16\"): the "
                                   "addresses the students' copies are carved from");
            ok = false;
        }
        if (auto students = reader.string("students")) {
            info.students_pos = reader.value_pos("students");
            if (students->empty() || !kinds_printable(*students)) {
                diagnostics_.error(
                    info.students_pos,
                    "bad roster `" + *students +
                        "`: a CSV file with an `id` column, relative to the lab file");
                ok = false;
            } else
                info.students = *students;
        }
        reader.finish();
        if (ok) lab_.class_info = info;
    }

    // [hosts.NAME] connect = URI, underlay = ADDRESS (SPEC.md section 6).
    void load_hosts(const toml::table& table) {
        if (lab_.lab.connect.size())
            diagnostics_.error(lab_.lab.connect_pos,
                               "`connect` in [lab] and [hosts] together: with [hosts], each "
                               "host's `connect` says where its nodes run");
        for (auto [key, node] : in_file_order(table)) {
            Host host;
            host.name = std::string(key->str());
            host.pos = pos_of(key->source());
            check_name(diagnostics_, host.pos, "host", host.name);
            std::string what = "[hosts." + host.name + "]";
            if (!node->is_table()) {
                diagnostics_.error(pos_of(*node), "wrong type: " + what + " must be a table, not " +
                                                      type_name(*node));
                bad_hosts_.insert(host.name);
                continue;
            }
            TomlReader reader(*node->as_table(), what, diagnostics_);
            bool ok = true;
            if (auto connect = reader.string("connect")) {
                host.connect_pos = reader.value_pos("connect");
                if (connect->empty() || !kinds_printable(*connect)) {
                    diagnostics_.error(host.connect_pos,
                                       "`connect` must be a libvirt URI such as "
                                       "qemu+ssh://root@10.0.0.2/system");
                    ok = false;
                } else if (connect->find("no_verify=1") != std::string::npos ||
                           connect->find("known_hosts_verify=ignore") != std::string::npos) {
                    diagnostics_.error(host.connect_pos,
                                       "`connect` turns off the host key check: labctl reaches "
                                       "a host only with its key checked against known_hosts");
                    ok = false;
                } else
                    host.connect = *connect;
            } else {
                if (!node->as_table()->contains("connect"))
                    diagnostics_.error(
                        host.pos, "missing key `connect` in " + what + " (the host's libvirt URI)");
                ok = false;
            }
            if (auto underlay = reader.string("underlay")) {
                host.underlay_pos = reader.value_pos("underlay");
                host.underlay = util::Ipv4::parse(*underlay);
                if (!host.underlay) {
                    diagnostics_.error(host.underlay_pos,
                                       "bad underlay `" + *underlay +
                                           "`: the IPv4 address the other hosts reach this one on");
                    ok = false;
                }
                for (const auto& other : lab_.hosts)
                    if (host.underlay && other.underlay == host.underlay) {
                        diagnostics_.error(host.underlay_pos, "underlay " + host.underlay->str() +
                                                                  " is also host `" + other.name +
                                                                  "`'s");
                        ok = false;
                    }
            }
            reader.finish();
            if (ok)
                lab_.hosts.push_back(std::move(host));
            else
                bad_hosts_.insert(host.name);
        }
        // VXLAN between hosts needs every host's address: one host needs none.
        if (table.size() > 1)
            for (const auto& host : lab_.hosts)
                if (!host.underlay)
                    diagnostics_.error(host.pos, "missing key `underlay` in [hosts." + host.name +
                                                     "] (the address the other hosts reach it on)");
    }

    static bool kinds_printable(std::string_view text) {
        return std::all_of(text.begin(), text.end(), [](char c) {
            return static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
        });
    }

    void load_defaults(const toml::table& table) {
        TomlReader reader(table, "[defaults]", diagnostics_);
        read_node_keys(reader, defaults_, true);
        default_networks_ = table.contains("networks");
        reader.finish();
    }

    void load_networks(const toml::table& table) {
        for (auto [key, node] : in_file_order(table)) {
            Network network;
            network.name = std::string(key->str());
            network.pos = pos_of(key->source());
            check_name(diagnostics_, network.pos, "network", network.name);
            std::string what = "[networks." + network.name + "]";
            if (!node->is_table()) {
                diagnostics_.error(pos_of(*node), "wrong type: " + what + " must be a table, not " +
                                                      type_name(*node));
                continue;
            }
            TomlReader reader(*node->as_table(), what, diagnostics_);
            if (auto mode = reader.string("mode")) {
                if (*mode == "host-only")
                    network.mode = NetworkMode::host_only;
                else if (*mode == "nat")
                    network.mode = NetworkMode::nat;
                else {
                    auto hint = util::closest_match(*mode, {"host-only", "nat"});
                    diagnostics_.error(reader.value_pos("mode"),
                                       "unknown network mode `" + *mode +
                                           "` (known: host-only, nat)" +
                                           (hint.empty() ? "" : "; did you mean `" + hint + "`?"));
                }
            } else if (!reader.table().contains("mode")) {
                diagnostics_.error(network.pos,
                                   "missing key `mode` in " + what + " (host-only or nat)");
            }
            bool subnet_ok = false;
            if (auto subnet = reader.string("subnet")) {
                network.subnet_pos = reader.value_pos("subnet");
                if (auto parsed = util::Subnet::parse(*subnet)) {
                    network.subnet = *parsed;
                    subnet_ok = true;
                } else {
                    diagnostics_.error(network.subnet_pos,
                                       "bad subnet `" + *subnet +
                                           "`: expected an IPv4 network such as 192.168.56.0/24 "
                                           "(prefix 8..30, host bits zero)");
                }
            } else if (!reader.table().contains("subnet")) {
                diagnostics_.error(
                    network.pos, "missing key `subnet` in " + what + " (e.g. \"192.168.56.0/24\")");
            }
            reader.finish();
            if (subnet_ok)
                lab_.networks.push_back(std::move(network));
            else
                bad_networks_.insert(network.name);
        }
    }

    // Reads node keys; DEFAULTS_ONLY skips what only makes sense per node.
    void read_node_keys(TomlReader& reader, Node& node, bool defaults_only) {
        if (auto image = reader.string("image")) {
            if (is_image_ref(*image)) {
                node.image = *image;
                node.image_pos = reader.value_pos("image");
            } else
                diagnostics_.error(
                    reader.value_pos("image"),
                    "bad image `" + *image + "`: an image name or a path to a qcow2 file");
        }
        if (auto memory = reader.integer("memory", {64, 1024 * 1024}))
            node.memory_mib = static_cast<int>(*memory);
        if (auto vcpus = reader.integer("vcpus", {1, 64})) node.vcpus = static_cast<int>(*vcpus);
        if (auto user = reader.string("user")) {
            if (is_user_name(*user))
                node.user = *user;
            else
                diagnostics_.error(reader.value_pos("user"), "bad user name `" + *user + "`");
        }
        if (auto networks = reader.get("networks")) read_nics(*networks, node, defaults_only);
        if (auto host = reader.string("host")) {
            node.host_pos = reader.value_pos("host");
            node.host = *host;
            if (!lab_.host(*host) && !bad_hosts_.count(*host)) {
                std::vector<std::string> names;
                for (const auto& h : lab_.hosts) names.push_back(h.name);
                auto hint = util::closest_match(*host, names);
                diagnostics_.error(
                    node.host_pos,
                    "unknown host `" + *host + "`" +
                        (names.empty() ? " (the lab has no [hosts])"
                                       : " (known: " + util::join(names, ", ") + ")") +
                        (hint.empty() ? "" : "; did you mean `" + hint + "`?"));
            }
        }
        // Per node only: in [defaults] `impair` stays an unknown key.
        if (!defaults_only)
            if (auto impair = reader.get("impair")) read_impair(*impair, node);
    }

    // impair = { NETWORK = { delay = "100ms", jitter = "10ms", loss = "2%", rate = "1mbit" } }
    void read_impair(const toml::node& impair, Node& node) {
        if (!impair.is_table()) {
            diagnostics_.error(pos_of(impair),
                               "wrong type: `impair` must be a table such as "
                               "{ hostonly = { delay = \"100ms\", loss = \"2%\" } }, not " +
                                   type_name(impair));
            return;
        }
        for (auto [key, value] : in_file_order(*impair.as_table())) {
            std::string network(key->str());
            Pos key_pos = pos_of(key->source());
            if (!node.nic(network)) {
                if (!lab_.network(network) && bad_networks_.count(network)) continue;
                diagnostics_.error(key_pos, "impair: node `" + node.name +
                                                "` has no NIC on network `" + network + "`");
                continue;
            }
            if (!value->is_table()) {
                diagnostics_.error(pos_of(*value), "wrong type: impair." + network +
                                                       " must be a table such as { delay = "
                                                       "\"100ms\" }, not " +
                                                       type_name(*value));
                continue;
            }
            LinkImpairment link{network, key_pos, {}};
            Pos jitter_pos = pos_of(*value);
            bool valid = true;
            for (auto [field, setting] : in_file_order(*value->as_table())) {
                std::string name(field->str());
                std::string* slot = name == "delay"    ? &link.values.delay
                                    : name == "jitter" ? &link.values.jitter
                                    : name == "loss"   ? &link.values.loss
                                    : name == "rate"   ? &link.values.rate
                                                       : nullptr;
                if (!slot) {
                    diagnostics_.error(pos_of(field->source()),
                                       "unknown key `" + name + "` in impair." + network +
                                           " (known: delay, jitter, loss, rate)");
                    valid = false;
                    continue;
                }
                if (!setting->is_string()) {
                    diagnostics_.error(pos_of(*setting), "wrong type: impair." + network + "." +
                                                             name + " must be a string, not " +
                                                             type_name(*setting));
                    valid = false;
                    continue;
                }
                *slot = setting->as_string()->get();
                std::string problem = name == "loss"   ? check_loss(*slot)
                                      : name == "rate" ? check_rate(*slot)
                                                       : check_duration(name, *slot);
                if (!problem.empty()) {
                    diagnostics_.error(pos_of(*setting), "impair." + network + ": " + problem);
                    valid = false;
                }
                if (name == "jitter") jitter_pos = pos_of(*setting);
            }
            if (!valid) continue;
            if (link.values.empty()) {
                diagnostics_.error(pos_of(*value), "impair." + network +
                                                       ": no impairment: set delay, jitter, "
                                                       "loss or rate");
                continue;
            }
            if (!link.values.jitter.empty() && link.values.delay.empty()) {
                diagnostics_.error(jitter_pos, "impair." + network +
                                                   ": jitter needs a delay (netem varies the "
                                                   "delay by the jitter)");
                continue;
            }
            node.impair.push_back(std::move(link));
        }
    }

    void read_nics(const toml::node& networks, Node& node, bool defaults_only) {
        if (networks.is_array()) {
            // networks = ["hostonly", "nat"]: dhcp on each.
            for (const auto& element : *networks.as_array()) {
                if (!element.is_string()) {
                    diagnostics_.error(
                        pos_of(element),
                        "wrong type: network names must be strings, not " + type_name(element));
                    continue;
                }
                add_nic(node, element.as_string()->get(), pos_of(element), pos_of(element), "dhcp",
                        defaults_only);
            }
            return;
        }
        if (!networks.is_table()) {
            diagnostics_.error(pos_of(networks),
                               "wrong type: `networks` must be a table such as "
                               "{ hostonly = \"192.168.56.11\", nat = \"dhcp\" }, not " +
                                   type_name(networks));
            return;
        }
        for (auto [key, value] : in_file_order(*networks.as_table())) {
            if (!value->is_string()) {
                diagnostics_.error(pos_of(*value),
                                   "wrong type: address on network `" + std::string(key->str()) +
                                       "` must be a string (an address or \"dhcp\"), not " +
                                       type_name(*value));
                continue;
            }
            add_nic(node, std::string(key->str()), pos_of(key->source()), pos_of(*value),
                    value->as_string()->get(), defaults_only);
        }
    }

    void add_nic(Node& node, const std::string& network_name, Pos key_pos, Pos value_pos,
                 const std::string& address, bool defaults_only) {
        if (defaults_only && address != "dhcp") {
            diagnostics_.error(
                value_pos,
                "[defaults] networks can only be \"dhcp\": a static address belongs to one node");
            return;
        }
        const Network* network = lab_.network(network_name);
        if (!network) {
            if (!bad_networks_.count(network_name)) {
                std::vector<std::string> names;
                for (const auto& n : lab_.networks) names.push_back(n.name);
                auto hint = util::closest_match(network_name, names);
                diagnostics_.error(key_pos,
                                   "unknown network `" + network_name + "`" +
                                       (hint.empty() ? "" : " (did you mean `" + hint + "`?)"));
            }
            return;
        }
        if (node.nic(network_name)) {
            diagnostics_.error(
                key_pos, "node `" + node.name + "` is on network `" + network_name + "` twice");
            return;
        }
        Nic nic;
        nic.network = network_name;
        nic.pos = value_pos;
        if (address != "dhcp") {
            auto parsed = util::Ipv4::parse(address);
            if (!parsed) {
                diagnostics_.error(value_pos,
                                   "bad address `" + address +
                                       "`: an IPv4 address such as 192.168.56.11 or \"dhcp\"");
                return;
            }
            nic.address = parsed;
        }
        node.nics.push_back(nic);
    }

    void load_nodes(const toml::table& table) {
        for (auto [key, value] : in_file_order(table)) {
            Node node = defaults_;  // the node's own keys override the defaults
            node.name = std::string(key->str());
            node.pos = pos_of(key->source());
            check_name(diagnostics_, node.pos, "node", node.name);
            std::string what = "[nodes." + node.name + "]";
            if (!value->is_table()) {
                diagnostics_.error(
                    pos_of(*value),
                    "wrong type: " + what + " must be a table, not " + type_name(*value));
                continue;
            }
            TomlReader reader(*value->as_table(), what, diagnostics_);
            if (value->as_table()->contains("networks")) node.nics.clear();
            auto errors_before = diagnostics_.size();
            read_node_keys(reader, node, false);
            reader.finish();
            // Only when nothing else was said about its networks: one clear error, not two.
            if (node.nics.empty() && diagnostics_.size() == errors_before)
                diagnostics_.error(node.pos,
                                   "node `" + node.name +
                                       "` has no `networks`: it needs at least one to be reached");
            lab_.nodes.push_back(std::move(node));
        }
    }

    void load_services(const toml::table& table) {
        for (auto [key, value] : in_file_order(table)) {
            Service service;
            service.name = std::string(key->str());
            service.pos = pos_of(key->source());
            check_name(diagnostics_, service.pos, "service", service.name);
            if (service.name == "node" || service.name == "instance" || service.name == "lab")
                diagnostics_.error(service.pos, "service name `" + service.name +
                                                    "` is reserved for ${" + service.name +
                                                    ".…} references");
            std::string what = "[services." + service.name + "]";
            if (!value->is_table()) {
                diagnostics_.error(
                    pos_of(*value),
                    "wrong type: " + what + " must be a table, not " + type_name(*value));
                continue;
            }
            TomlReader reader(*value->as_table(), what, diagnostics_);
            auto type = reader.string("type");
            const services::ServiceKind* kind = nullptr;
            if (type) {
                service.type_pos = reader.value_pos("type");
                kind = services::find_kind(*type);
                if (!kind) {
                    auto hint = util::closest_match(*type, services::kind_names());
                    diagnostics_.error(service.type_pos,
                                       "unknown service type `" + *type + "` (known: " +
                                           util::join(services::kind_names(), ", ") + ")" +
                                           (hint.empty() ? "" : "; did you mean `" + hint + "`?"));
                }
            } else if (!value->as_table()->contains("type")) {
                diagnostics_.error(service.pos, "missing key `type` in " + what + " (one of " +
                                                    util::join(services::kind_names(), ", ") + ")");
            }
            if (auto on = reader.string_list("on")) service.on = *on;
            // A key of every type: read here with the other common keys, never by a type.
            if (auto provision = reader.boolean("provision")) service.provision = *provision;
            if (!kind) continue;  // its other keys cannot be judged without a type
            service.type = kind;
            service.settings = kind->parse(reader, service);
            if (service.on.empty() && kind->placed_by_on() && !value->as_table()->contains("on"))
                diagnostics_.error(
                    service.pos, "missing key `on` in " + what + " (the node or nodes it runs on)");
            reader.finish();
            lab_.services.push_back(std::move(service));
        }
    }

    Diagnostics& diagnostics_;
    Lab& lab_;
    Node defaults_;
    bool default_networks_ = false;
    std::set<std::string> bad_networks_;
    std::set<std::string> bad_hosts_;  // reported already: a node naming one adds no error
};

}  // namespace

LoadResult load_lab_text(std::string_view text, const std::string& file,
                         const std::string& base_dir) {
    LoadResult result{std::nullopt, Diagnostics(file)};
    Lab lab;
    lab.file = file;
    lab.base_dir = base_dir;
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& error) {
        result.diagnostics.error(pos_of(error.source()),
                                 "TOML syntax: " + std::string(error.description()));
        return result;
    }
    Loader(result.diagnostics, lab).load(root);
    // Types placed by another service's nodes, now that every service is read.
    for (auto& service : lab.services)
        if (service.type) services::kind_of(service).place(lab, service, result.diagnostics);
    plan_addresses(lab, result.diagnostics);
    validate_lab(lab, result.diagnostics);
    if (result.diagnostics.empty()) result.lab = std::move(lab);
    return result;
}

LoadResult load_lab_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        LoadResult result{std::nullopt, Diagnostics(path)};
        result.diagnostics.error({1, 1},
                                 "cannot read the lab file: " + std::string(std::strerror(errno)));
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto base = std::filesystem::path(path).parent_path();
    return load_lab_text(text.str(), path, base.empty() ? "." : base.string());
}

Lab load_lab_or_throw(const std::string& path) {
    auto result = load_lab_file(path);
    if (!result.lab) {
        result.diagnostics.throw_if_any();
        throw DiagnosticsError(path + ": not loaded");  // no lab without an error: unreachable
    }
    return std::move(*result.lab);
}

}  // namespace labctl::labfile

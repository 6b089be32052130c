#include "engine/port_forward.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace labctl::engine {

namespace {

constexpr std::string_view kTablePrefix = "labctl-";
constexpr std::string_view kRulePrefix = "labctl-forward ";

util::ProcessResult nft(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"nft"};
    argv.insert(argv.end(), args.begin(), args.end());
    return util::run_process(argv);
}

bool no_such_table(const util::ProcessResult& result) {
    return result.err.find("No such file or directory") != std::string::npos;
}

// A bridge name as the kernel allows it, so it can name a /proc/sys path.
bool is_interface_name(std::string_view name) {
    return !name.empty() && name.size() < 16 && name != "." && name != ".." &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                      c == '.';
           });
}

}  // namespace

std::string forward_table(const std::string& lab) {
    if (!store::is_lab_name(lab)) throw InputError("bad lab name `" + lab + "`");
    return std::string(kTablePrefix) + lab;
}

std::string forward_comment(int host_port, const std::string& target) {
    return std::string(kRulePrefix) + std::to_string(host_port) + " " + target;
}

std::optional<InstalledForward> parse_forward_comment(const std::string& table,
                                                      const std::string& comment) {
    if (table.rfind(kTablePrefix, 0) != 0 || comment.rfind(kRulePrefix, 0) != 0)
        return std::nullopt;
    std::string lab = table.substr(kTablePrefix.size());
    auto words = util::split(comment.substr(kRulePrefix.size()), ' ');
    if (!store::is_lab_name(lab) || words.size() != 2 || words[0].empty() || words[0].size() > 5 ||
        !std::all_of(words[0].begin(), words[0].end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return InstalledForward{lab, std::stoi(words[0]), words[1]};
}

bool nft_available() {
    return util::find_program("nft").has_value();
}

std::vector<InstalledForward> installed_forwards() {
    auto result = nft({"-j", "list", "ruleset", "ip"});
    if (result.exit_code != 0)
        throw InfraError("nft list ruleset failed: " + util::trim(result.err), {}, "forward");
    std::vector<InstalledForward> found;
    try {
        auto json = nlohmann::json::parse(result.out);
        for (const auto& item : json.value("nftables", nlohmann::json::array())) {
            if (!item.contains("rule")) continue;
            const auto& rule = item["rule"];
            auto parsed = parse_forward_comment(rule.value("table", ""), rule.value("comment", ""));
            // The same forward appears in each hook's chain: listed once.
            if (parsed && std::find(found.begin(), found.end(), *parsed) == found.end())
                found.push_back(*parsed);
        }
    } catch (const nlohmann::json::exception& error) {
        throw InfraError(std::string("cannot read nft's JSON ruleset: ") + error.what(), {},
                         "forward");
    }
    return found;
}

std::optional<std::string> forward_table_comment(const std::string& lab) {
    auto result = nft({"list", "table", "ip", forward_table(lab)});
    if (result.exit_code != 0) {
        if (no_such_table(result)) return std::nullopt;
        throw InfraError("nft list table failed: " + util::trim(result.err), {}, "forward");
    }
    // nft 1.0.6 leaves a table's comment out of its JSON: read the text, where it is the
    // first `comment` line, right after `table ip NAME {`.
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
        auto text = util::trim(line);
        if (text.rfind("chain ", 0) == 0) break;
        if (text.rfind("comment \"", 0) == 0 && text.size() >= 10 && text.back() == '"')
            return text.substr(9, text.size() - 10);
    }
    return std::string();
}

void load_nft_file(const std::filesystem::path& file) {
    auto result = nft({"-f", file.string()});
    if (result.exit_code != 0)
        throw InfraError("nft -f " + file.string() + " failed: " + util::trim(result.err), {},
                         "forward");
}

bool remove_forward_table(const std::string& lab) {
    if (!nft_available()) return false;
    auto result = nft({"delete", "table", "ip", forward_table(lab)});
    if (result.exit_code == 0) return true;
    if (no_such_table(result)) return false;
    throw InfraError(
        "nft delete table " + forward_table(lab) + " failed: " + util::trim(result.err), {},
        "forward");
}

std::set<int> parse_listening_ports(const std::string& proc_net_tcp) {
    std::set<int> ports;
    std::istringstream lines(proc_net_tcp);
    std::string line;
    std::getline(lines, line);  // the header
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        if (!(fields >> slot >> local >> remote >> state)) continue;
        auto colon = local.rfind(':');
        if (state != "0A" || colon == std::string::npos) continue;  // 0A: TCP_LISTEN
        try {
            ports.insert(std::stoi(local.substr(colon + 1), nullptr, 16));
        } catch (const std::exception&) {
        }
    }
    return ports;
}

std::set<int> listening_tcp_ports() {
    std::set<int> ports;
    for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(path);
        if (!in) continue;  // no IPv6 in this kernel
        std::stringstream text;
        text << in.rdbuf();
        ports.merge(parse_listening_ports(text.str()));
    }
    return ports;
}

bool enable_route_localnet(const std::string& bridge) {
    if (!is_interface_name(bridge))
        throw InfraError("bad bridge name `" + bridge + "`", {}, "forward");
    std::filesystem::path knob =
        std::filesystem::path("/proc/sys/net/ipv4/conf") / bridge / "route_localnet";
    if (util::trim(util::read_file(knob)) == "1") return false;
    std::ofstream out(knob);
    out << "1\n";
    out.close();
    if (!out) throw InfraError("cannot set " + knob.string() + " to 1 (needs root)", {}, "forward");
    return true;
}

}  // namespace labctl::engine

// `[lab] forward`: the key's strict values (exit 2 at load time, at the value's place), the
// nftables ruleset rendered for it (checked by the real `nft -c` where it can run), its
// fingerprint, the rule comments read back, and /proc/net/tcp's listening ports.
#include <gtest/gtest.h>

#include <unistd.h>

#include "commands/port_forwards.hpp"
#include "engine/port_forward.hpp"
#include "lab_fixtures.hpp"
#include "util/files.hpp"
#include "util/process.hpp"

using namespace labctl;

namespace {

std::string lab_with(const std::string& forward) {
    return test::two_network_lab("fw", "forward = " + forward + "\n") +
           "\n[nodes.lb]\nnetworks = { hostonly = \"192.168.56.11\" }\n"
           "\n[nodes.web]\nnetworks = { nat = \"192.168.123.20\" }\n";
}

std::vector<commands::ForwardTarget> two_targets() {
    return {{8443, "lb", 443, "192.168.56.11", "virbr3"},
            {8080, "web", 80, "192.168.123.20", "virbr4"}};
}

}  // namespace

TEST(Forward, LoadsHostPortsAndTargetsInFileOrder) {
    auto lab = test::load_lab(lab_with(R"({ "8443" = "lb:443", "80" = "web:8080" })"));
    ASSERT_EQ(lab.lab.forwards.size(), 2u);
    EXPECT_EQ(lab.lab.forwards[0].host_port, 8443);
    EXPECT_EQ(lab.lab.forwards[0].node, "lb");
    EXPECT_EQ(lab.lab.forwards[0].port, 443);
    EXPECT_EQ(lab.lab.forwards[1].host_port, 80);
    EXPECT_EQ(lab.lab.forwards[1].port, 8080);
}

TEST(Forward, BadPortsTargetsAndUnknownNodesAreErrorsAtTheirPlace) {
    struct Case {
        std::string forward, message;
    };
    for (const auto& c : std::vector<Case>{
             {R"({ "0" = "lb:443" })", "host port `0` must be a number from 1 to 65535"},
             {R"({ "65536" = "lb:443" })", "host port `65536` must be a number"},
             {R"({ "08443" = "lb:443" })", "host port `08443`"},
             {R"({ "x" = "lb:443" })", "host port `x`"},
             {R"({ "8443" = "lb" })", "the target must be \"NODE:PORT\""},
             {R"({ "8443" = "lb:0" })", "the target must be"},
             {R"({ "8443" = "lb:99999" })", "the target must be"},
             {R"({ "8443" = "Lb:443" })", "the target must be"},
             {R"({ "8443" = 443 })", "the target must be"},
             {R"({ "8443" = "lbb:443" })", "unknown node `lbb` (did you mean `lb`?)"},
             {R"("8443:lb:443")", "wrong type: `forward` must be a table"},
         }) {
        auto result = labfile::load_lab_text(lab_with(c.forward), "lab.toml");
        EXPECT_FALSE(result.lab) << c.forward;
        EXPECT_NE(result.diagnostics.format().find(c.message), std::string::npos)
            << c.forward << "\n"
            << result.diagnostics.format();
        EXPECT_NE(result.diagnostics.format().find("lab.toml:3:"), std::string::npos)
            << result.diagnostics.format();
    }
}

TEST(Forward, AClassLabCannotForwardHostPorts) {
    auto result = labfile::load_lab_text(
        lab_with(R"({ "8443" = "lb:443" })") + "\n[class]\npool = \"10.200.0.0/16\"\n", "lab.toml");
    EXPECT_FALSE(result.lab);
    EXPECT_NE(result.diagnostics.format().find(
                  "lab.toml:3:13: error: forward: a lab with [class] cannot forward host ports"),
              std::string::npos)
        << result.diagnostics.format();
}

TEST(Forward, RulesetDnatsEachPortForTheHostAndGuardsItsBridges) {
    auto ruleset = commands::render_forward_ruleset("fw", two_targets());
    const auto& text = ruleset.text;
    EXPECT_NE(text.find("table ip labctl-fw {"), std::string::npos) << text;
    EXPECT_NE(text.find("delete table ip labctl-fw"), std::string::npos) << text;
    EXPECT_NE(text.find("comment \"" + ruleset.fingerprint + "\""), std::string::npos) << text;
    EXPECT_EQ(ruleset.fingerprint.rfind("labctl lab fw ", 0), 0u) << ruleset.fingerprint;
    std::string dnat =
        "fib daddr type local tcp dport 8443 dnat to 192.168.56.11:443 comment "
        "\"labctl-forward 8443 lb:443\"";
    auto first = text.find(dnat);
    ASSERT_NE(first, std::string::npos) << text;
    EXPECT_EQ(text.find(dnat, first + 1), std::string::npos) << "the output hook only";
    EXPECT_NE(text.find("type nat hook output priority -100"), std::string::npos) << text;
    EXPECT_NE(text.find("ct status dnat ip daddr 192.168.123.20 tcp dport 80 masquerade"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("iifname \"virbr3\" ip saddr 127.0.0.0/8 drop"), std::string::npos);
    EXPECT_NE(text.find("iifname \"virbr4\" ip daddr 127.0.0.0/8 drop"), std::string::npos);

    // The fingerprint follows the content: the same lab gives the same one, a change another.
    EXPECT_EQ(commands::render_forward_ruleset("fw", two_targets()).fingerprint,
              ruleset.fingerprint);
    auto moved = two_targets();
    moved[1].address = "192.168.123.21";
    EXPECT_NE(commands::render_forward_ruleset("fw", moved).fingerprint, ruleset.fingerprint);

    // The real nft parses it (check mode: nothing is loaded). Needs root and nftables.
    if (::geteuid() != 0 || !engine::nft_available()) GTEST_SKIP() << "needs root and nft";
    test::TempDir dir;
    util::write_file_atomic(dir.path() / "forward.nft", text, 0600);
    auto checked = util::run_process({"nft", "-c", "-f", (dir.path() / "forward.nft").string()});
    EXPECT_EQ(checked.exit_code, 0) << checked.err << "\n" << text;
}

TEST(Forward, RuleCommentsReadBackOnlyFromLabctlTables) {
    auto comment = engine::forward_comment(8443, "lb:443");
    EXPECT_EQ(comment, "labctl-forward 8443 lb:443");
    auto parsed = engine::parse_forward_comment("labctl-fw", comment);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, (engine::InstalledForward{"fw", 8443, "lb:443"}));
    EXPECT_FALSE(engine::parse_forward_comment("filter", comment));
    EXPECT_FALSE(engine::parse_forward_comment("labctl-fw", "something else"));
    EXPECT_FALSE(engine::parse_forward_comment("labctl-fw", "labctl-forward x lb:443"));
    EXPECT_EQ(engine::forward_table("fw"), "labctl-fw");
}

TEST(Forward, ListeningPortsComeFromTcpSocketsInListenState) {
    std::string proc =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0\n"
        "   1: 0100007F:C318 507100CB:0050 01 00000000:00000000 00:00000000 00000000     0\n"
        "   2: 00000000000000000000000000000000:20FB 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 00:00000000 00000000     0\n";
    EXPECT_EQ(engine::parse_listening_ports(proc), (std::set<int>{8080, 8443}));
}

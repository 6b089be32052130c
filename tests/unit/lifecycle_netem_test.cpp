// Link impairment: strict values (exit 2 before anything is touched), the `impair` key of the
// lab file, the tc commands labctl runs, and the ping summary `verify` reports.
#include <gtest/gtest.h>

#include "engine/netem.hpp"
#include "lab_fixtures.hpp"
#include "test_support.hpp"
#include "topology/impairment.hpp"
#include "verify/impaired_links.hpp"

using namespace labctl;

TEST(Impairment, ValuesAreCheckedStrictly) {
    for (const char* good : {"100ms", "1.5s", "250us", "0ms", "60s"})
        EXPECT_EQ(topo::check_duration("delay", good), "") << good;
    for (const char* bad : {"100", "100 ms", "-1ms", "1e3ms", "61s", "100MS", "ms", "1.ms", ""})
        EXPECT_NE(topo::check_duration("delay", bad), "") << bad;
    for (const char* good : {"2%", "0.5%", "100%", "0%"}) EXPECT_EQ(topo::check_loss(good), "");
    for (const char* bad : {"2", "101%", "-1%", "2 %", "%"}) EXPECT_NE(topo::check_loss(bad), "");
    for (const char* good : {"1mbit", "512kbit", "10gbit", "100bit"})
        EXPECT_EQ(topo::check_rate(good), "") << good;
    for (const char* bad : {"1mbps", "0bit", "1Mbit", "200gbit", "fast"})
        EXPECT_NE(topo::check_rate(bad), "") << bad;
    EXPECT_EQ(topo::check_duration("jitter", "1 s"),
              "bad jitter `1 s`: a duration such as 100ms, 1.5s or 250us");
    topo::Impairment jitter_only;
    jitter_only.jitter = "10ms";
    EXPECT_EQ(
        topo::check_impairment(jitter_only),
        (std::vector<std::string>{"jitter needs a delay (netem varies the delay by the jitter)"}));
    EXPECT_EQ(topo::check_impairment({}),
              (std::vector<std::string>{"no impairment: set delay, jitter, loss or rate"}));
}

TEST(Netem, BothDirectionsOnTheHostSideWithAnIfbForTheGuestsEgress) {
    topo::Impairment impairment{"100ms", "10ms", "2%", "1mbit"};
    auto commands = engine::netem_apply_commands("vnet3", "lcq0123456789ab", impairment);
    ASSERT_EQ(commands.size(), 5u);
    using Argv = engine::Argv;
    EXPECT_EQ(commands[0], (Argv{"tc", "qdisc", "replace", "dev", "vnet3", "root", "netem", "delay",
                                 "100ms", "10ms", "loss", "2%", "rate", "1mbit"}));
    EXPECT_EQ(commands[1], (Argv{"ip", "link", "set", "dev", "lcq0123456789ab", "up"}));
    EXPECT_EQ(commands[2][4], "lcq0123456789ab");
    EXPECT_EQ(commands[3],
              (Argv{"tc", "qdisc", "replace", "dev", "vnet3", "handle", "ffff:", "ingress"}));
    EXPECT_EQ(commands[4].back(), "lcq0123456789ab");
    EXPECT_EQ(engine::netem_qdisc_args({"", "", "5%", ""}), (Argv{"netem", "loss", "5%"}));
}

TEST(Netem, IfbNamesAreStableShortAndDifferPerNic) {
    auto name = engine::ifb_name("mom", "server1", "hostonly");
    EXPECT_EQ(name, engine::ifb_name("mom", "server1", "hostonly"));
    EXPECT_EQ(name.size(), 15u);  // IFNAMSIZ - 1
    EXPECT_EQ(name.rfind("lcq", 0), 0u);
    EXPECT_NE(name, engine::ifb_name("mom", "server1", "nat"));
    EXPECT_NE(name, engine::ifb_name("mom2", "server1", "hostonly"));
}

TEST(Netem, RecordsSurviveARoundTripThroughTheStateFile) {
    test::TempDir dir;
    std::map<std::string, engine::NetemRecord> records{
        {"n1:lan", {{"200ms", "", "1%", ""}, "lcq000000000001"}}};
    engine::save_netem(dir.path(), records);
    EXPECT_EQ(engine::load_netem(dir.path()), records);
    engine::save_netem(dir.path(), {});
    EXPECT_TRUE(engine::load_netem(dir.path()).empty());
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "netem.json"));
}

TEST(Impair, TheLabFileKeyIsReadPerNodeAndNetwork) {
    auto lab = test::load_lab(test::two_network_lab("imp") + R"(
[nodes.a]
networks = { hostonly = "192.168.56.11", nat = "dhcp" }
impair = { nat = { delay = "100ms", jitter = "5ms" }, hostonly = { loss = "1%" } }

[nodes.b]
networks = { hostonly = "192.168.56.12" }
)");
    const auto& a = *lab.node("a");
    ASSERT_EQ(a.impair.size(), 2u);
    EXPECT_EQ(a.impair[0].network, "nat");
    EXPECT_EQ(a.impair[0].values, (topo::Impairment{"100ms", "5ms", "", ""}));
    EXPECT_EQ(a.impair[1].values.describe(), "loss 1%");
    EXPECT_TRUE(lab.node("b")->impair.empty());
}

TEST(Impair, BadImpairmentsAreErrorsAtTheirPlace) {
    auto result = labfile::load_lab_text(test::two_network_lab("imp") + R"(
[nodes.a]
networks = { hostonly = "192.168.56.11" }
impair = { nat = { delay = "1ms" }, hostonly = { jitter = "5ms", burst = "1" } }
)",
                                         "lab.toml");
    ASSERT_FALSE(result.lab.has_value());
    auto text = result.diagnostics.format();
    EXPECT_NE(text.find("lab.toml:14:12: error: impair: node `a` has no NIC on network `nat`"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("error: unknown key `burst` in impair.hostonly (known: delay, jitter, "
                        "loss, rate)"),
              std::string::npos)
        << text;
}

TEST(Impair, NotAllowedInDefaults) {
    auto result = labfile::load_lab_text(test::two_network_lab("imp") + R"(
[defaults]
impair = { nat = { delay = "1ms" } }

[nodes.a]
networks = { hostonly = "192.168.56.11" }
)",
                                         "lab.toml");
    ASSERT_FALSE(result.lab.has_value());
    EXPECT_NE(result.diagnostics.format().find("impair"), std::string::npos);
}

TEST(VerifyRtt, PingSummaryIsReadBack) {
    std::string out =
        "== 10.0.0.2\n5 packets transmitted, 5 received, 0% packet loss, time 801ms\n"
        "rtt min/avg/max/mdev = 400.112/401.230/402.001/0.700 ms\n";
    EXPECT_EQ(verify::describe_ping_summary(out),
              "avg 401.230 ms (min 400.112, max 402.001), 0% loss");
    EXPECT_EQ(verify::describe_ping_summary("5 packets transmitted, 0 received, 100% packet loss"),
              "");
}

TEST(NetemCli, BadValuesAndModesExit2BeforeTheLabIsLookedAt) {
    // No lab file at all: the values are checked first.
    for (std::vector<std::string> args : {std::vector<std::string>{"netem", "a", "--delay", "100"},
                                          {"netem", "a", "--loss", "200%"},
                                          {"netem", "a", "--jitter", "5ms"},
                                          {"netem", "a", "--delay", "1ms", "--reset"},
                                          {"netem", "a"},
                                          {"netem", "a", "--rate", "1mbps"}}) {
        auto result = test::run_labctl(args);
        EXPECT_EQ(result.exit_code, 2) << args.back() << ": " << result.err;
        EXPECT_NE(result.err.find("netem: "), std::string::npos) << result.err;
    }
}

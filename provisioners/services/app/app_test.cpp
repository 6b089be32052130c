// The app type on its own: its systemd unit with resolved, escaped environment and command.
#include <gtest/gtest.h>

#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"

namespace labctl {
namespace {

TEST(App, AppUnitsCarryResolvedEnvironment) {
    auto files = labfile::render_lab(test::example_lab("activemq-failover"), render::TemplateSet{},
                                     {{"chat"}});
    const auto& unit =
        test::find_file(files, "server2", "/etc/systemd/system/labctl-chat-server2.service")
            .content;
    EXPECT_NE(unit.find("Environment=\"BROKER_HOST=192.168.56.11\""), std::string::npos) << unit;
    EXPECT_NE(unit.find("Environment=\"INSTANCE=chat-server2\""), std::string::npos);
    EXPECT_NE(unit.find("Environment=\"PORT=8080\""), std::string::npos);
    EXPECT_NE(unit.find("ExecStart=/bin/sh -c \"exec python3 /opt/chat/app.py\""),
              std::string::npos);
    EXPECT_NE(unit.find("User=lab"), std::string::npos);
}

TEST(App, SystemdValuesAreEscaped) {
    auto result = labfile::load_lab_text(R"(
[lab]
name = "esc"
[networks.n]
mode = "nat"
subnet = "10.9.0.0/24"
[nodes.a]
networks = { n = "dhcp" }
[services.s]
type = "app"
on = "a"
run = "printf \"%s\" x"
env = { MSG = "50% \"quoted\" back\\slash" }
)",
                                         "lab.toml");
    ASSERT_TRUE(result.lab) << result.diagnostics.format();
    auto files = labfile::render_lab(*result.lab, render::TemplateSet{}, {{"s"}});
    const auto& unit = files.at(0).content;
    EXPECT_NE(unit.find(R"(Environment="MSG=50%% \"quoted\" back\\slash")"), std::string::npos)
        << unit;
    EXPECT_NE(unit.find(R"(ExecStart=/bin/sh -c "exec printf \"%%s\" x")"), std::string::npos)
        << unit;
}

}  // namespace
}  // namespace labctl

// The shared pipeline every role goes through (services/file_install.hpp), over a real sshd on
// loopback, with the types' real validators (python3's json, systemd-analyze verify, erl) run
// on staged files, a real reload command and a probe reading the live file: a broken staged
// file leaves the live one untouched and nothing reloaded; a failed probe or reload puts the
// previous files back (and removes new ones) and reloads again; unchanged files only start
// and probe.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <optional>

#include "remote_test_support.hpp"
#include "role_steps.hpp"
#include "services/broker/broker_roles.hpp"
#include "services/file_install.hpp"
#include "services/registry.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

using namespace labctl;
namespace ts = labctl::test_support;

namespace {

const char* kGoodUnit = R"([Unit]
Description=labctl pipeline test

[Service]
Type=simple
ExecStart=/bin/sh -c "exec sleep 1"

[Install]
WantedBy=multi-user.target
)";

class FileInstallTest : public ::testing::Test {
  protected:
    void SetUp() override {
        sshd.start();
        session.emplace(remote::Session::connect(client.options(sshd)));
        node.name = "node1";
        service.name = "svc";
        std::filesystem::create_directories(dir.path() / "etc");
        std::filesystem::create_directories(dir.path() / "units");
        util::write_file_atomic(json_path(), "{\"version\": 1}\n", 0644);
        util::write_file_atomic(unit_path(), kGoodUnit, 0644);
    }

    std::filesystem::path json_path() const { return dir.path() / "etc/defs.json"; }
    std::filesystem::path unit_path() const { return dir.path() / "units/labctl-test.service"; }
    std::filesystem::path reload_log() const { return dir.path() / "reloads"; }

    int reloads() const {
        if (!std::filesystem::exists(reload_log())) return 0;
        return static_cast<int>(
            util::split(util::trim(util::read_file(reload_log())), '\n').size());
    }

    // The type's side: a reload that appends to a log on the node, a probe that reads the
    // live JSON as the service would and wants "ready" in it.
    services::ConfigChange change(std::vector<services::ConfigFile> files) {
        services::ConfigChange result;
        result.files = std::move(files);
        result.validators = {services::rabbitmq_json_validator(),
                             services::systemd_unit_validator()};
        result.control.reload = [this] {
            session->check({"sh", "-c", "echo reload >> \"$1\"", "sh", reload_log().string()});
        };
        result.control.start = [] { return false; };
        result.control.probe = [this] {
            auto live = session->check({"cat", "--", json_path().string()}).out;
            if (live.find("ready") == std::string::npos)
                throw InfraError("the service did not come up with " + util::trim(live), "node1",
                                 "probe");
        };
        return result;
    }

    services::RoleReport apply(const services::ConfigChange& config) {
        services::RoleReport report{node.name, service.name, {}};
        services::apply_config({*session, lab, node, service, {}}, config, report);
        return report;
    }

    bool staging_left() const {
        return std::filesystem::exists(dir.path() / "etc/.labctl-staging") ||
               std::filesystem::exists(dir.path() / "units/.labctl-staging");
    }

    ts::TestSshd sshd;
    ts::TestClient client{sshd};
    ts::TempDir dir;
    std::optional<remote::Session> session;
    topo::Lab lab;
    topo::Node node;
    topo::Service service;
};

ino_t inode_of(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_ino;
}

}  // namespace

TEST_F(FileInstallTest, ChangedFilesGoThroughEveryStepThenUnchangedOnlyStartAndProbe) {
    auto ready = change({{json_path().string(), "{\"version\": 2, \"ready\": true}\n", 0640},
                         {unit_path().string(), kGoodUnit, 0644}});
    auto report = apply(ready);
    EXPECT_EQ(test::step_names(report),
              (std::vector<std::string>{"compare:changed", "stage:changed", "validate:ok",
                                        "move:changed", "reload:changed", "probe:ok"}));
    EXPECT_EQ(util::read_file(json_path()), "{\"version\": 2, \"ready\": true}\n");
    struct stat info {};
    ASSERT_EQ(::stat(json_path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0640u);
    EXPECT_EQ(reloads(), 1);
    EXPECT_FALSE(staging_left());
    // Only the JSON differed (the unit was already as rendered), and the detail says who
    // checked it.
    EXPECT_EQ(report.steps[0].detail, json_path().string());
    EXPECT_NE(report.steps[2].detail.find("python3 json"), std::string::npos)
        << report.steps[2].detail;

    auto again = apply(ready);
    EXPECT_EQ(test::step_names(again),
              (std::vector<std::string>{"compare:ok", "start:ok", "probe:ok"}));
    EXPECT_EQ(reloads(), 1);
}

TEST_F(FileInstallTest, BrokenJsonNeverReachesTheLiveFile) {
    auto before = inode_of(json_path());
    try {
        apply(change({{json_path().string(), "{\"version\": 2, \"ready\": true,\n", 0644}}));
        FAIL() << "a broken JSON file was accepted";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "validate");
        EXPECT_EQ(error.node(), "node1");
        EXPECT_NE(std::string(error.what()).find("service svc"), std::string::npos);
        EXPECT_NE(std::string(error.what()).find("python3 json"), std::string::npos)
            << error.what();
        EXPECT_NE(std::string(error.what()).find("line 2"), std::string::npos) << error.what();
    }
    EXPECT_EQ(util::read_file(json_path()), "{\"version\": 1}\n");
    EXPECT_EQ(inode_of(json_path()), before);
    EXPECT_EQ(reloads(), 0);
    EXPECT_FALSE(staging_left());
}

TEST_F(FileInstallTest, UnitWithAKeySystemdWouldIgnoreIsRejected) {
    auto broken = std::string(kGoodUnit);
    broken.replace(broken.find("Type=simple"), 11, "Typo=simple");
    try {
        apply(change({{json_path().string(), "{\"version\": 2, \"ready\": true}\n", 0644},
                      {unit_path().string(), broken, 0644}}));
        FAIL() << "a unit with an unknown key was accepted";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "validate");
        EXPECT_NE(std::string(error.what()).find("Typo"), std::string::npos) << error.what();
    }
    // Neither file changed: the JSON was fine, but nothing moves until every file passed.
    EXPECT_EQ(util::read_file(json_path()), "{\"version\": 1}\n");
    EXPECT_EQ(util::read_file(unit_path()), kGoodUnit);
    EXPECT_EQ(reloads(), 0);
    EXPECT_FALSE(staging_left());
}

TEST_F(FileInstallTest, FailedProbeRestoresThePreviousFilesAndRemovesNewOnes) {
    ::chmod(json_path().c_str(), 0600);
    auto extra = dir.path() / "etc/new.json";
    try {
        // Valid JSON, but the service would not come up with it.
        apply(change(
            {{json_path().string(), "{\"version\": 2}\n", 0644}, {extra.string(), "{}\n", 0644}}));
        FAIL() << "a failed probe was not reported";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "probe");
        EXPECT_EQ(error.node(), "node1");
        EXPECT_NE(std::string(error.what()).find("service svc"), std::string::npos);
        EXPECT_NE(std::string(error.what()).find("did not come up"), std::string::npos);
        EXPECT_NE(std::string(error.what()).find("previous files are back"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(util::read_file(json_path()), "{\"version\": 1}\n");
    struct stat info {};
    ASSERT_EQ(::stat(json_path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0600u) << "the previous file's mode was not restored";
    EXPECT_FALSE(std::filesystem::exists(extra)) << "a file the change created was left";
    EXPECT_EQ(reloads(), 2) << "the change and the restore each reload once";
    EXPECT_FALSE(staging_left());

    // The restored state converges normally afterwards.
    auto report =
        apply(change({{json_path().string(), "{\"version\": 3, \"ready\": true}\n", 0644}}));
    EXPECT_TRUE(report.changed());
    EXPECT_EQ(util::read_file(json_path()), "{\"version\": 3, \"ready\": true}\n");
}

TEST_F(FileInstallTest, FailedReloadRestoresThePreviousFile) {
    auto failing = change({{json_path().string(), "{\"version\": 2, \"ready\": true}\n", 0644}});
    int attempts = 0;
    failing.control.reload = [&] {
        if (++attempts == 1) throw InfraError("reload refused", "node1", "reload");
    };
    try {
        apply(failing);
        FAIL() << "a failed reload was not reported";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "reload");
        EXPECT_NE(std::string(error.what()).find("reload refused"), std::string::npos);
        EXPECT_NE(std::string(error.what()).find("previous files are back"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(attempts, 2) << "the restored files were not reloaded";
    EXPECT_EQ(util::read_file(json_path()), "{\"version\": 1}\n");
}

TEST_F(FileInstallTest, ErlangTermOfEnabledPluginsIsChecked) {
    auto plugins = dir.path() / "etc/enabled_plugins";
    util::write_file_atomic(plugins, "[rabbitmq_stomp].\n", 0644);
    auto config = change({{plugins.string(), "[rabbitmq_stomp, rabbitmq_management]\n", 0644}});
    config.validators = {services::rabbitmq_plugins_validator()};
    try {
        apply(config);
        FAIL() << "an Erlang term without its final dot was accepted";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "validate");
        EXPECT_NE(std::string(error.what()).find("syntax error"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(util::read_file(plugins), "[rabbitmq_stomp].\n");
}

TEST_F(FileInstallTest, MalformedXmlIsRejected) {
    auto xml = dir.path() / "etc/activemq.xml";
    util::write_file_atomic(xml, "<beans/>\n", 0644);
    auto config = change({{xml.string(), "<beans><broker></beans>\n", 0644}});
    config.validators = {services::activemq_xml_validator()};
    try {
        apply(config);
        FAIL() << "malformed XML was accepted";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "validate");
        EXPECT_NE(std::string(error.what()).find("mismatched tag"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(util::read_file(xml), "<beans/>\n");
}

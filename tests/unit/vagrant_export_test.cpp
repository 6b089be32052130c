// `labctl export vagrant` on every example lab, checked by the real `vagrant validate`
// (VirtualBox config with --ignore-provider, and the libvirt provider's config).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_support.hpp"
#include "util/files.hpp"

namespace labctl {
namespace {

util::ProcessResult vagrant(const std::filesystem::path& dir, const test::TempDir& home,
                            const std::string& provider, const std::string& args) {
    return util::run_process({"env", "VAGRANT_CHECKPOINT_DISABLE=1",
                              "VAGRANT_HOME=" + home.path().string(),
                              "VAGRANT_DEFAULT_PROVIDER=" + provider, "sh", "-c",
                              "cd '" + dir.string() + "' && vagrant " + args});
}

TEST(VagrantExport, EveryExampleValidatesWithRealVagrant) {
    ASSERT_TRUE(util::find_program("vagrant")) << "vagrant is not installed: run scripts/setup.sh";
    test::TempDir home;
    for (const auto& lab : test::example_labs()) {
        test::TempDir out;
        auto exported =
            test::run_labctl({"export", "vagrant", "-f", lab.string(), "-o", out.path().string()});
        ASSERT_EQ(exported.exit_code, 0) << lab << "\n" << exported.err;
        auto virtualbox = vagrant(out.path(), home, "virtualbox", "validate --ignore-provider");
        EXPECT_EQ(virtualbox.exit_code, 0) << lab << "\n" << virtualbox.out << virtualbox.err;
        auto libvirt = vagrant(out.path(), home, "libvirt", "validate");
        EXPECT_EQ(libvirt.exit_code, 0) << lab << "\n" << libvirt.out << libvirt.err;
        for (const auto& entry : std::filesystem::directory_iterator(out.path() / "provision")) {
            auto syntax = util::run_process({"bash", "-n", entry.path().string()});
            EXPECT_EQ(syntax.exit_code, 0) << entry.path() << syntax.err;
        }
    }
}

TEST(VagrantExport, SameMachinesNetworksAndRenderedFiles) {
    test::TempDir out;
    auto lab = (test::source_dir() / "examples/activemq-failover/lab.toml").string();
    ASSERT_EQ(
        test::run_labctl({"export", "vagrant", "-f", lab, "-o", out.path().string()}).exit_code, 0);
    auto vagrantfile = util::read_file(out.path() / "Vagrantfile");
    EXPECT_NE(vagrantfile.find("config.vm.define \"server1\""), std::string::npos);
    EXPECT_NE(vagrantfile.find("ip: \"192.168.56.12\""), std::string::npos);
    EXPECT_NE(vagrantfile.find("vb.memory = 512"), std::string::npos);
    EXPECT_NE(vagrantfile.find("node.vm.provider \"libvirt\""), std::string::npos);
    auto rendered =
        test::run_labctl({"render", "lb", "-f", lab, "-o", (out.path() / "render").string()});
    ASSERT_EQ(rendered.exit_code, 0);
    EXPECT_EQ(util::read_file(out.path() / "files/server1/etc/nginx/conf.d/balancer.conf"),
              util::read_file(out.path() / "render/server1/etc/nginx/conf.d/balancer.conf"));
    EXPECT_TRUE(std::filesystem::exists(out.path() / "files/server2/opt/chat/app.py"));
}

TEST(VagrantExport, SecretsArePrivateAndStableAcrossReExports) {
    test::TempDir out;
    auto lab = (test::source_dir() / "examples/weighted-mariadb/lab.toml").string();
    ASSERT_EQ(
        test::run_labctl({"export", "vagrant", "-f", lab, "-o", out.path().string()}).exit_code, 0);
    struct stat info {};
    ASSERT_EQ(::stat((out.path() / "secrets.env").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    auto first = util::read_file(out.path() / "secrets.env");
    EXPECT_NE(first.find("MYSQL_REPLICATION_PASSWORD_DB="), std::string::npos);
    ASSERT_EQ(
        test::run_labctl({"export", "vagrant", "-f", lab, "-o", out.path().string()}).exit_code, 0);
    EXPECT_EQ(util::read_file(out.path() / "secrets.env"), first);
    // The password reaches MariaDB through the script's environment, never literally.
    auto password =
        first.substr(first.find("=", first.find("MYSQL_REPLICATION_PASSWORD_DB")) + 1, 24);
    EXPECT_EQ(util::read_file(out.path() / "provision/db2.sh").find(password), std::string::npos);
    EXPECT_NE(util::read_file(out.path() / "provision/db2.sh")
                  .find("CHANGE MASTER TO MASTER_HOST='172.30.10.21'"),
              std::string::npos);
}

}  // namespace
}  // namespace labctl

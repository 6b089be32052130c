// `down`'s removal of the cgroup trees an LXC node's systemd left behind, on a directory tree
// shaped like /sys/fs/cgroup (plain directories: rmdir behaves the same on empty ones, and a
// directory holding a file stands for a cgroup that still has a process).
#include <gtest/gtest.h>

#include <fstream>

#include "engine/lxc_cgroups.hpp"
#include "test_support.hpp"

namespace labctl {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

TEST(LxcCgroups, RemovesOnlyTheDomainsTreesInEveryHierarchy) {
    TempDir tmp;
    auto root = tmp.path();
    for (const char* dir : {"systemd/machine/lxc-123-shop-db1.libvirt-lxc/system.slice/ssh.service",
                            "systemd/machine/lxc-123-shop-db1.libvirt-lxc/init.scope",
                            "unified/machine/lxc-77-shop-db1.libvirt-lxc/init.scope",
                            "systemd/machine/lxc-124-shop-db10.libvirt-lxc/init.scope",
                            "systemd/machine/lxc-12x-shop-db1.libvirt-lxc",
                            "systemd/machine/lxc-125-other-shop-db1.libvirt-lxc.old",
                            "cpu/machine/lxc-9-shop-db2.libvirt-lxc", "memory/other"})
        fs::create_directories(root / dir);

    EXPECT_EQ(engine::remove_container_cgroups(root, "shop-db1"), 2);
    EXPECT_FALSE(fs::exists(root / "systemd/machine/lxc-123-shop-db1.libvirt-lxc"));
    EXPECT_FALSE(fs::exists(root / "unified/machine/lxc-77-shop-db1.libvirt-lxc"));
    // Another node whose name only starts the same, names libvirt would not make, other nodes.
    EXPECT_TRUE(fs::exists(root / "systemd/machine/lxc-124-shop-db10.libvirt-lxc/init.scope"));
    EXPECT_TRUE(fs::exists(root / "systemd/machine/lxc-12x-shop-db1.libvirt-lxc"));
    EXPECT_TRUE(fs::exists(root / "systemd/machine/lxc-125-other-shop-db1.libvirt-lxc.old"));
    EXPECT_TRUE(fs::exists(root / "cpu/machine/lxc-9-shop-db2.libvirt-lxc"));
    EXPECT_TRUE(fs::exists(root / "systemd/machine"));  // libvirt's partition stays
}

TEST(LxcCgroups, LeavesACgroupThatIsStillInUse) {
    TempDir tmp;
    auto busy = tmp.path() / "systemd/machine/lxc-5-lab-n1.libvirt-lxc";
    fs::create_directories(busy / "init.scope");
    fs::create_directories(busy / "system.slice");
    std::ofstream(busy / "init.scope/in-use") << "1\n";

    EXPECT_EQ(engine::remove_container_cgroups(tmp.path(), "lab-n1"), 0);
    EXPECT_TRUE(fs::exists(busy / "init.scope/in-use"));
    EXPECT_FALSE(fs::exists(busy / "system.slice"));  // what could go, went
}

TEST(LxcCgroups, NoHierarchiesNoWork) {
    TempDir tmp;
    EXPECT_EQ(engine::remove_container_cgroups(tmp.path() / "missing", "lab-n1"), 0);
    EXPECT_EQ(engine::remove_container_cgroups(tmp.path(), "lab-n1"), 0);
}

}  // namespace
}  // namespace labctl

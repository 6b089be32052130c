// image::ScratchTree, the guard of `image build` and `image box` scratch trees: the bench once
// died at `labctl image box` with `cannot remove all: Device or resource busy [.../merged]`,
// leaving the overlay mounted and the tree behind. A failed step must undo its own mounts and
// trees, and a failing cleanup must not replace the step's own error.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "image/build_steps.hpp"
#include "test_support.hpp"
#include "util/files.hpp"
#include "util/mounts.hpp"
#include "util/process.hpp"

namespace labctl {
namespace {

namespace fs = std::filesystem;

void mount_tmpfs(const fs::path& at) {
    ASSERT_EQ(::mount("labctl-test", at.c_str(), "tmpfs", 0, "size=1m"), 0) << at;
}

TEST(ScratchTree, AFailedStepLeavesNoMountAndNoTreeAndKeepsItsError) {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
    test::TempDir root;
    const fs::path work = root.path() / ".debian-12-lab.box-1";
    try {
        image::ScratchTree scratch(work, 0700);
        fs::create_directories(work / "merged");
        // Two mounts stacked at merged (what propagation to a peer at the same path gives)
        // and one deeper: one umount each is not enough.
        mount_tmpfs(work / "merged");
        mount_tmpfs(work / "merged");
        fs::create_directories(work / "merged/inner");
        mount_tmpfs(work / "merged/inner");
        util::write_file_atomic(work / "merged/inner/file", "x", 0600);
        ASSERT_EQ(util::mounts_below(work).size(), 3u);
        throw std::runtime_error("the step's own error");
    } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(), "the step's own error");
    }
    EXPECT_TRUE(util::mounts_below(work).empty());
    EXPECT_FALSE(fs::exists(work));
}

TEST(ScratchTree, ABusyMountIsDetachedLazily) {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
    test::TempDir root;
    const fs::path work = root.path() / "scratch";
    // An open file keeps the mount busy (a plain umount fails with EBUSY) while the guard goes.
    std::optional<util::Fd> held;
    {
        image::ScratchTree scratch(work, 0700);
        fs::create_directories(work / "merged");
        mount_tmpfs(work / "merged");
        util::write_file_atomic(work / "merged/held", "x", 0600);
        held.emplace(::open((work / "merged/held").c_str(), O_RDONLY | O_CLOEXEC));
        ASSERT_TRUE(*held);
    }
    EXPECT_TRUE(util::mounts_below(work).empty());
    EXPECT_FALSE(fs::exists(work));
}

TEST(ScratchTree, ALeftoverOfTheSameNameIsUnmountedAndReplaced) {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
    test::TempDir root;
    const fs::path work = root.path() / "scratch";
    fs::create_directories(work / "merged");
    mount_tmpfs(work / "merged");
    {
        image::ScratchTree scratch(work, 0700);
        EXPECT_TRUE(util::mounts_below(work).empty());
        EXPECT_TRUE(fs::is_empty(work));
    }
    EXPECT_FALSE(fs::exists(work));
}

// `labctl image box` failing inside its overlay (here mkfs.ext4, which also leaves a process
// behind whose working directory keeps the overlay busy, as a tool that hung would): exit 3
// with mkfs's own error, and neither the overlay nor the scratch tree is left behind.
TEST(ImageBoxCli, AFailedStepUndoesItsOverlayAndScratchTreeAndKeepsItsError) {
    if (::geteuid() != 0) GTEST_SKIP() << "image box needs root";
    test::TempDir home;
    const fs::path image = home.path() / "images/debian-12-lab";
    fs::create_directories(image / "rootfs/etc");
    util::write_file_atomic(image / "rootfs/etc/hostname", "image\n");
    util::write_file_atomic(image / "manifest.json", R"({"name": "debian-12-lab"})");
    const fs::path bin = home.path() / "bin";
    fs::create_directories(bin);
    // mkfs.ext4 TREE is its -d argument: a sleeper with its cwd there holds the mount busy.
    util::write_file_atomic(bin / "mkfs.ext4",
                            "#!/bin/sh\n"
                            "while [ $# -gt 0 ]; do [ \"$1\" = -d ] && tree=$2; shift; done\n"
                            "(cd \"$tree\" && exec sleep 30) </dev/null >/dev/null 2>&1 &\n"
                            "echo $! > " +
                                (home.path() / "sleeper").string() +
                                "\n"
                                "echo 'mkfs.ext4: no space left (fake)' >&2; exit 1\n",
                            0755);
    const char* old_path = std::getenv("PATH");
    auto result = util::run_process({"env", "LABCTL_HOME=" + home.path().string(),
                                     "PATH=" + bin.string() + ":" + (old_path ? old_path : ""),
                                     test::labctl_binary(), "image", "box", "-o",
                                     (home.path() / "out.box").string()});
    // The sleeper has done its part once labctl returned.
    if (fs::exists(home.path() / "sleeper"))
        ::kill(std::stoi(util::read_file(home.path() / "sleeper")), SIGKILL);
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_NE(result.err.find("mkfs.ext4 failed (exit 1)"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("no space left (fake)"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("cannot remove"), std::string::npos) << result.err;
    EXPECT_TRUE(util::mounts_below(home.path()).empty());
    for (const auto& entry : fs::directory_iterator(home.path() / "images"))
        EXPECT_EQ(entry.path().filename().string().find(".box-"), std::string::npos)
            << entry.path();
    EXPECT_FALSE(fs::exists(home.path() / "out.box"));
}

}  // namespace
}  // namespace labctl

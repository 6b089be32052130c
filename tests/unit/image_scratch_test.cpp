// image::ScratchTree, the guard of `image build` and `image box` scratch trees: the bench once
// died at `labctl image box` with `cannot remove all: Device or resource busy [.../merged]`,
// leaving the overlay mounted and the tree behind. A failed step must undo its own mounts and
// trees, and a failing cleanup must not replace the step's own error.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "image/build_steps.hpp"
#include "test_support.hpp"
#include "util/files.hpp"
#include "util/mounts.hpp"

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

}  // namespace
}  // namespace labctl

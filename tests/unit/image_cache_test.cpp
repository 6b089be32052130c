// A base image on a host that shares no disk with labctl (engine/image_cache): the pool, the
// volumes and their completion marker on libvirt's test driver (a private test:///FILE, its
// own empty state per connection). The test driver cannot upload (virStorageVolUpload is
// "not supported by the connection driver"), so the uploads are recorded here; they are real
// in tests/e2e/two_hosts.sh --qemu.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "engine/image_cache.hpp"
#include "engine/inventory.hpp"
#include "lab_fixtures.hpp"
#include "util/error.hpp"
#include "virt/connection.hpp"
#include "virt/xml_builders.hpp"

using namespace labctl;
namespace fs = std::filesystem;

namespace {

class ImageCache : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/labctl-image-cache-XXXXXX";
        ASSERT_TRUE(::mkdtemp(tmpl));
        root_ = tmpl;
        ::setenv("LABCTL_HOME", (root_ / "home").c_str(), 1);
        image_ = test::fake_base_image(root_ / "home");
        std::ofstream(root_ / "node.xml") << "<node><memory>4194304</memory></node>\n";
        host_ = std::make_unique<virt::Connection>("test://" + (root_ / "node.xml").string());
        upload_ = [this](virt::Connection&, virStorageVolPtr volume, const fs::path& file,
                         const std::string&) {
            if (fail_at_ == static_cast<int>(uploads_.size()))
                throw InfraError("connection to the host lost", "n1", "image");
            uploads_.push_back(std::string(virStorageVolGetName(volume)) + " <- " +
                               file.filename().string());
        };
    }
    void TearDown() override {
        host_.reset();
        std::error_code ec;
        fs::remove_all(root_, ec);
        ::unsetenv("LABCTL_HOME");
    }
    std::vector<std::string> volumes() {
        auto pool = host_->pool(engine::image_pool_name);
        return pool ? host_->volume_names(pool.get()) : std::vector<std::string>{};
    }

    fs::path root_, image_;
    std::unique_ptr<virt::Connection> host_;
    engine::VolumeUpload upload_;
    std::vector<std::string> uploads_;
    int fail_at_ = -1;  // the upload (0-based) that fails
};

}  // namespace

TEST_F(ImageCache, TheIdentityComesFromTheManifestAndNamesTheVolumesAndTheirPaths) {
    auto cached = engine::cached_image(image_);
    EXPECT_EQ(cached.identity.rfind("debian-12-lab-", 0), 0u) << cached.identity;
    EXPECT_EQ(cached.identity.size(), std::string("debian-12-lab-").size() + 16);
    EXPECT_EQ(cached.disk, "/var/lib/labctl/image-cache/vm/" + cached.identity + ".qcow2");
    EXPECT_EQ(cached.kernel, "/var/lib/labctl/image-cache/vm/" + cached.identity + ".vmlinuz");
    // A rebuilt image (a new manifest) is another identity: sent again, never mixed.
    std::ofstream(image_ / "manifest.json") << "{\"name\": \"debian-12-lab\", \"built\": 2}\n";
    EXPECT_NE(engine::cached_image(image_).identity, cached.identity);
}

TEST_F(ImageCache, SentOnceThenReusedWhileTheImageIsUnchanged) {
    auto cached = engine::cached_image(image_);
    EXPECT_TRUE(engine::ensure_cached_image(*host_, image_, "n1", upload_));
    EXPECT_EQ(uploads_, (std::vector<std::string>{cached.kernel_volume + " <- vmlinuz",
                                                  cached.initrd_volume + " <- initrd.img",
                                                  cached.disk_volume + " <- disk.qcow2"}));
    EXPECT_EQ(volumes(), (std::vector<std::string>{cached.complete_volume, cached.initrd_volume,
                                                   cached.disk_volume, cached.kernel_volume}));
    // The pool is labctl's by name and path; libvirt made its directory (build) and started it.
    auto pool = host_->pool(engine::image_pool_name);
    ASSERT_TRUE(pool);
    EXPECT_TRUE(virt::Connection::is_active(pool.get()));
    EXPECT_TRUE(engine::owned_pool(*host_, engine::image_pool_name, engine::image_pool_path()));
    auto disk = host_->volume(pool.get(), cached.disk_volume);
    ASSERT_TRUE(disk);
    EXPECT_EQ(std::string(virStorageVolGetPath(disk.get())), cached.disk);

    int mutations = host_->mutations();
    EXPECT_FALSE(engine::ensure_cached_image(*host_, image_, "n2", upload_));
    EXPECT_EQ(uploads_.size(), 3u) << "a complete cache was sent again";
    EXPECT_EQ(host_->mutations(), mutations);

    // A new image content: sent beside the old one, which stays (another lab may use it).
    std::ofstream(image_ / "manifest.json") << "{\"name\": \"debian-12-lab\", \"built\": 2}\n";
    EXPECT_TRUE(engine::ensure_cached_image(*host_, image_, "n1", upload_));
    EXPECT_EQ(uploads_.size(), 6u);
    EXPECT_EQ(volumes().size(), 8u);
}

TEST_F(ImageCache, AnInterruptedUploadIsNeverTakenForACompleteOneAndIsSentAgain) {
    auto cached = engine::cached_image(image_);
    fail_at_ = 2;  // the disk, after the kernel and the initrd went through
    EXPECT_THROW(engine::ensure_cached_image(*host_, image_, "n1", upload_), InfraError);
    auto left = volumes();
    EXPECT_EQ(std::count(left.begin(), left.end(), cached.complete_volume), 0)
        << "an interrupted upload was marked complete";
    // The next run finds no marker: what is there is removed and everything is sent again.
    fail_at_ = -1;
    uploads_.clear();
    EXPECT_TRUE(engine::ensure_cached_image(*host_, image_, "n1", upload_));
    EXPECT_EQ(uploads_.size(), 3u);
    EXPECT_EQ(volumes().size(), 4u);
    // Volumes without their marker (stopped between the last upload and the marker): the
    // same.
    auto pool = host_->pool(engine::image_pool_name);
    host_->delete_volume(host_->volume(pool.get(), cached.complete_volume).get(), "n1", "test");
    EXPECT_TRUE(engine::ensure_cached_image(*host_, image_, "n1", upload_));
    EXPECT_EQ(uploads_.size(), 6u);
}

TEST_F(ImageCache, APoolOfThatNameElsewhereIsNotLabctlsAndIsNotTouched) {
    host_->define_pool(virt::pool_xml({engine::image_pool_name, "/srv/someone-elses"}), "test");
    EXPECT_THROW(engine::ensure_cached_image(*host_, image_, "n1", upload_), InfraError);
    EXPECT_TRUE(uploads_.empty());
}

TEST_F(ImageCache, AFileVolumeIsASparseRawVolumeOfTheFilesSizeAndReplacesAnOldOne) {
    engine::ensure_cached_image(*host_, image_, "n1", upload_);
    auto pool = host_->pool(engine::image_pool_name);
    std::ofstream(root_ / "seed.img") << std::string(4096, 's');
    engine::upload_file_volume(*host_, pool.get(), "n1-seed.img", root_ / "seed.img", "n1", "seed",
                               upload_);
    std::ofstream(root_ / "seed.img") << std::string(8192, 't');
    engine::upload_file_volume(*host_, pool.get(), "n1-seed.img", root_ / "seed.img", "n1", "seed",
                               upload_);
    auto volume = host_->volume(pool.get(), "n1-seed.img");
    ASSERT_TRUE(volume);
    virStorageVolInfo info{};
    ASSERT_EQ(virStorageVolGetInfo(volume.get(), &info), 0);
    EXPECT_EQ(info.capacity, 8192u);
    EXPECT_EQ(uploads_.back(), "n1-seed.img <- seed.img");
}

TEST(ImageCacheLock, OneTransferPerHostAtATimeOthersWait) {
    char tmpl[] = "/tmp/labctl-transfer-lock-XXXXXX";
    ASSERT_TRUE(::mkdtemp(tmpl));
    ::setenv("LABCTL_HOME", tmpl, 1);
    std::atomic<bool> second_has_it{false};
    std::thread second;
    {
        engine::HostTransferLock first("qemu+ssh://root@10.0.0.2/system?keyfile=/a");
        // Another host's lock is another lock.
        engine::HostTransferLock other("qemu+ssh://root@10.0.0.3/system");
        // The same host with other parameters is the same host: the second waits.
        second = std::thread([&] {
            engine::HostTransferLock again("qemu+ssh://root@10.0.0.2/system?keyfile=/b");
            second_has_it = true;
        });
        // The waiter polls with backoff; it cannot get the lock while it is held here.
        EXPECT_FALSE(second_has_it.load());
        // Two hosts, two lock files; the one of 10.0.0.2 is held (a third party cannot take it).
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(fs::path(tmpl) / "transfers"))
            files.push_back(entry.path());
        EXPECT_EQ(files.size(), 2u);
        int free_now = 0;
        for (const auto& file : files) free_now += util::LockFile(file).try_acquire("probe");
        EXPECT_EQ(free_now, 0);
    }
    second.join();
    EXPECT_TRUE(second_has_it.load());
    EXPECT_EQ(std::distance(fs::directory_iterator(fs::path(tmpl) / "transfers"),
                            fs::directory_iterator{}),
              2);
    std::error_code ec;
    fs::remove_all(tmpl, ec);
    ::unsetenv("LABCTL_HOME");
}

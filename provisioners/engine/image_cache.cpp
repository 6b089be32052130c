#include "engine/image_cache.hpp"

#include <unistd.h>

#include <algorithm>

#include "engine/host_access.hpp"
#include "engine/inventory.hpp"
#include "remote/transfer.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/retry.hpp"
#include "virt/xml_builders.hpp"

namespace labctl::engine {

namespace fs = std::filesystem;

std::string image_pool_path() {
    return std::string(remote_home) + "/image-cache/vm";
}

std::string image_identity(const fs::path& local_image_dir) {
    auto manifest = util::read_file(local_image_dir / "manifest.json");
    return local_image_dir.filename().string() + "-" + remote::sha256_hex(manifest).substr(0, 16);
}

CachedImage cached_image(const fs::path& local_image_dir) {
    CachedImage c;
    c.identity = image_identity(local_image_dir);
    c.disk_volume = c.identity + ".qcow2";
    c.kernel_volume = c.identity + ".vmlinuz";
    c.initrd_volume = c.identity + ".initrd.img";
    c.complete_volume = c.identity + ".complete";
    // A directory pool keeps each volume as a file of its name in the pool's directory.
    c.disk = image_pool_path() + "/" + c.disk_volume;
    c.kernel = image_pool_path() + "/" + c.kernel_volume;
    c.initrd = image_pool_path() + "/" + c.initrd_volume;
    return c;
}

VolumeUpload default_volume_upload() {
    return [](virt::Connection& host, virStorageVolPtr volume, const fs::path& file,
              const std::string& node) {
        // libvirt's test driver cannot upload ("not supported by the connection driver"): its
        // volumes stay empty, as its domains never boot; what is tested there is the objects.
        if (host.is_test_driver()) return;
        host.upload_volume(volume, file, node, "image");
    };
}

namespace {

// The image pool, defined, built (its directory made by libvirt) and started when missing.
virt::PoolPtr image_pool(virt::Connection& host) {
    auto pool = owned_pool(host, image_pool_name, image_pool_path());
    if (!pool)
        pool = host.define_pool(virt::pool_xml({image_pool_name, image_pool_path()}), "image");
    if (!virt::Connection::is_active(pool.get())) {
        host.build_pool(pool.get(), "image");
        host.start_pool(pool.get(), "image");
    }
    return pool;
}

}  // namespace

void upload_file_volume(virt::Connection& host, virStoragePoolPtr pool, const std::string& name,
                        const fs::path& file, const std::string& node, const std::string& step,
                        const VolumeUpload& upload) {
    if (auto old = host.volume(pool, name)) host.delete_volume(old.get(), node, step);
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    if (ec) throw InfraError("cannot read " + file.string() + ": " + ec.message(), node, step);
    virt::VolumeSpec spec;
    spec.name = name;
    spec.format = "raw";  // the file's bytes as they are (a qcow2 stays a qcow2 file)
    spec.capacity_bytes = static_cast<long long>(size);
    auto volume = host.create_volume(pool, virt::volume_xml(spec), node, step);
    upload(host, volume.get(), file, node);
}

bool ensure_cached_image(virt::Connection& host, const fs::path& local_image_dir,
                         const std::string& node, const VolumeUpload& upload) {
    auto cached = cached_image(local_image_dir);
    auto pool = image_pool(host);
    auto names = host.volume_names(pool.get());
    auto has = [&](const std::string& name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    };
    const std::pair<std::string, fs::path> files[] = {
        {cached.kernel_volume, local_image_dir / "vmlinuz"},
        {cached.initrd_volume, local_image_dir / "initrd.img"},
        {cached.disk_volume, local_image_dir / "disk.qcow2"},
    };
    bool complete = has(cached.complete_volume);
    for (const auto& [name, file] : files) complete = complete && has(name);
    if (complete) return false;
    // Under the transfer lock nothing else sends to this host: a marker without its volumes, or
    // volumes without their marker, are an interrupted transfer's. Marker first, so a
    // transfer stopped here again still has none.
    if (auto marker = host.volume(pool.get(), cached.complete_volume))
        host.delete_volume(marker.get(), node, "image");
    for (const auto& [name, file] : files)
        upload_file_volume(host, pool.get(), name, file, node, "image", upload);
    virt::VolumeSpec marker;
    marker.name = cached.complete_volume;
    marker.format = "raw";
    host.create_volume(pool.get(), virt::volume_xml(marker), node, "image");
    return true;
}

HostTransferLock::HostTransferLock(const std::string& uri) {
    // One lock per host: the URI without its parameters (the key file, known_hosts).
    std::string host = uri.substr(0, uri.find('?'));
    auto dir = store::labctl_home() / "transfers";
    util::make_dirs(dir, 0700);
    lock_ =
        std::make_unique<util::LockFile>(dir / (remote::sha256_hex(host).substr(0, 16) + ".lock"));
    std::string me = "labctl (pid " + std::to_string(::getpid()) + ") sending to " + host;
    util::retry_until(util::no_deadline,
                      {std::chrono::milliseconds(100), std::chrono::milliseconds(2000)},
                      [&](int) -> std::optional<std::string> {
                          if (lock_->try_acquire(me)) return std::nullopt;
                          return "transfer to " + host + " held by " + lock_->holder();
                      });
}

}  // namespace labctl::engine

// What labctl does on a lab's host beyond libvirt's API (SPEC.md section 6): the VXLAN links,
// the LXC nodes' base image and overlays. On the machine labctl runs on that is a local
// program (util::run_process) and a local mount; on a remote host it is the same argv over
// SSH (remote::Session: the host's key checked against known_hosts, never unchecked). The
// engine's plan and apply take one of these per host; without one they work locally, as a
// lab without [hosts] always has.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/overlay.hpp"
#include "remote/session.hpp"

namespace labctl::engine {

// Where a remote host keeps what labctl brings there (its own data directory).
inline constexpr const char* remote_home = "/var/lib/labctl";

class HostAccess {
  public:
    virtual ~HostAccess() = default;
    const std::string& host() const { return host_; }
    virtual bool remote() const = 0;
    // Runs ARGV on the host; its exit code, with stdout in OUT when given.
    virtual int run(const std::vector<std::string>& argv, std::string* out = nullptr) = 0;
    // As run(), but a failure throws InfraError naming the host, STEP and the program's stderr.
    virtual std::string check(const std::vector<std::string>& argv, const std::string& step) = 0;
    // Copies the entries of LOCAL_DIR (modes and owners kept) into DEST on the host.
    virtual void put_tree(const std::filesystem::path& local_dir, const std::string& dest,
                          const std::string& step) = 0;

    virtual bool is_mounted(const std::filesystem::path& path);
    virtual void mount_overlay(const OverlayPaths& paths, const std::string& node);
    virtual void unmount_overlay(const std::filesystem::path& merged, const std::string& node);

  protected:
    explicit HostAccess(std::string host) : host_(std::move(host)) {}
    std::string host_;
};

// The machine labctl runs on: local programs, local mounts.
std::unique_ptr<HostAccess> local_host_access(const std::string& host);

// A remote host over SSH, as its libvirt URI says: user@host:port, and the URI's `keyfile`
// and `known_hosts` parameters (default ~/.ssh/id_ed25519 and ~/.ssh/known_hosts). SCRATCH is
// a local 0700 directory for the streams sent there.
remote::ConnectOptions ssh_options_for_uri(const std::string& host, const std::string& uri);
std::unique_ptr<HostAccess> ssh_host_access(const std::string& host, const std::string& uri,
                                            const std::filesystem::path& scratch);

// The base image's rootfs on a remote host: cached once per image content (the hash of its
// manifest) under remote_home/image-cache, sent as a tar stream when missing, reused while the
// image is unchanged. Returns the remote rootfs path.
std::string remote_rootfs(const std::filesystem::path& local_image_dir);
// Sends the rootfs to the host unless it is cached there; true when it was sent. What an
// interrupted transfer left (image-cache/NAME-HASH.partial-*) is removed first: hold a
// HostTransferLock (image_cache.hpp) for the host around it.
bool ensure_remote_rootfs(HostAccess& host, const std::filesystem::path& local_image_dir,
                          const std::string& node);
// A lab's own directory on a remote host (its nodes' overlays).
std::string remote_lab_dir(const std::string& lab);
// Unmounts the lab's overlays on the host and removes remote_lab_dir (not the image cache).
// Returns true when there was something to remove.
bool remove_remote_lab(HostAccess& host, const std::string& lab);

}  // namespace labctl::engine

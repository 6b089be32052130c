#include "engine/host_access.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "engine/image_cache.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace labctl::engine {

namespace fs = std::filesystem;

namespace {

std::string percent_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto hex = [](char c) {
            return c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
        };
        if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
            hex(text[i + 2]) >= 0) {
            out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
            i += 2;
        } else
            out += text[i];
    }
    return out;
}

// The names of LOCAL_DIR's entries: a tar of "." would also set DEST's own mode and owner.
std::vector<std::string> entries_of(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// OUT of ARGV run on HOST for STEP, or the error naming all of it when it failed: the same for
// a local program and one over SSH.
std::string checked_output(const std::string& host, const std::vector<std::string>& argv,
                           const std::string& step, int exit_code, const std::string& out,
                           const std::string& err) {
    if (exit_code != 0)
        throw InfraError(
            "host " + host + ": `" + util::join(argv, " ") + "` failed: " + util::trim(err), {},
            step);
    return out;
}

class LocalHost final : public HostAccess {
  public:
    explicit LocalHost(std::string host) : HostAccess(std::move(host)) {}
    bool remote() const override { return false; }
    int run(const std::vector<std::string>& argv, std::string* out = nullptr) override {
        auto result = util::run_process(argv);
        if (out) *out = result.out;
        return result.exit_code;
    }
    std::string check(const std::vector<std::string>& argv, const std::string& step) override {
        auto result = util::run_process(argv);
        return checked_output(host_, argv, step, result.exit_code, result.out, result.err);
    }
    void put_tree(const fs::path& local_dir, const std::string& dest,
                  const std::string& step) override {
        util::make_dirs(dest, 0755);
        std::vector<std::string> argv{"cp", "-a", "--"};
        for (const auto& name : entries_of(local_dir)) argv.push_back((local_dir / name).string());
        argv.push_back(dest);
        check(argv, step);
    }
};

class SshHost final : public HostAccess {
  public:
    SshHost(std::string host, remote::ConnectOptions options, fs::path scratch)
        : HostAccess(std::move(host)),
          session_(remote::Session::connect(options)),
          scratch_(std::move(scratch)) {}
    bool remote() const override { return true; }
    int run(const std::vector<std::string>& argv, std::string* out = nullptr) override {
        remote::RunOptions options;
        options.step = "host " + host_;
        auto result = session_.run(argv, options);
        if (out) *out = result.out;
        return result.exit_code;
    }
    std::string check(const std::vector<std::string>& argv, const std::string& step) override {
        remote::RunOptions options;
        options.timeout = std::chrono::minutes(10);
        options.step = step;
        auto result = session_.run(argv, options);
        return checked_output(host_, argv, step, result.exit_code, result.out, result.err);
    }
    // A tar file made locally (util::run_process), streamed to `tar -x` on the host.
    void put_tree(const fs::path& local_dir, const std::string& dest,
                  const std::string& step) override {
        util::make_dirs(scratch_, 0700);
        fs::path archive = scratch_ / ("put-" + util::random_token(8) + ".tar");
        // Extended attributes too: file capabilities (ping's cap_net_raw) live there.
        std::vector<std::string> argv{
            "tar", "--numeric-owner",  "--xattrs", "--xattrs-include=*", "--acls",
            "-C",  local_dir.string(), "-cf",      archive.string(),     "--"};
        for (const auto& name : entries_of(local_dir)) argv.push_back(name);
        auto made = util::run_process(argv);
        if (made.exit_code != 0) {
            fs::remove(archive);
            throw InfraError("cannot pack " + local_dir.string() + ": " + util::trim(made.err), {},
                             step);
        }
        int fd = ::open(archive.c_str(), O_RDONLY | O_CLOEXEC);
        fs::remove(archive);  // the open descriptor keeps it readable
        if (fd < 0) throw InfraError("cannot read " + archive.string(), {}, step);
        util::Fd owned(fd);
        remote::RunOptions options;
        options.timeout = std::chrono::minutes(30);
        options.step = step;
        options.forward_fd = fd;
        auto result = session_.run({"sh", "-c",
                                    "mkdir -p \"$1\" && exec tar --numeric-owner --xattrs "
                                    "--xattrs-include='*' --acls --no-overwrite-dir -xpf - "
                                    "-C \"$1\"",
                                    "sh", dest},
                                   options);
        if (result.exit_code != 0)
            throw InfraError(
                "host " + host_ + ": unpacking into " + dest + " failed: " + util::trim(result.err),
                {}, step);
    }
    bool is_mounted(const fs::path& path) override {
        return run({"mountpoint", "-q", path.string()}) == 0;
    }
    void mount_overlay(const OverlayPaths& p, const std::string& node) override {
        for (const auto& path : {p.lower, p.upper, p.work})
            if (path.string().find_first_of(",:") != std::string::npos)
                throw InfraError(
                    "path " + path.string() + " contains ',' or ':', which overlayfs cannot take",
                    node, "overlay");
        check({"sh", "-c",
               "mountpoint -q \"$4\" && exit 0; mkdir -p \"$2\" \"$3\" \"$4\" && chmod 0700 "
               "\"$(dirname \"$2\")\" && chmod 0755 \"$2\" && mount -t overlay overlay -o "
               "\"lowerdir=$1,upperdir=$2,workdir=$3\" \"$4\"",
               "sh", p.lower.string(), p.upper.string(), p.work.string(), p.merged.string()},
              "overlay");
    }
    void unmount_overlay(const fs::path& merged, const std::string&) override {
        check({"sh", "-c", "! mountpoint -q \"$1\" || umount \"$1\"", "sh", merged.string()},
              "overlay");
    }

  private:
    remote::Session session_;
    fs::path scratch_;
};

}  // namespace

bool HostAccess::is_mounted(const fs::path& path) {
    return is_mount_point(path);
}
void HostAccess::mount_overlay(const OverlayPaths& paths, const std::string& node) {
    engine::mount_overlay(paths, node);
}
void HostAccess::unmount_overlay(const fs::path& merged, const std::string& node) {
    engine::unmount_overlay(merged, node);
}

std::unique_ptr<HostAccess> local_host_access(const std::string& host) {
    return std::make_unique<LocalHost>(host);
}

remote::ConnectOptions ssh_options_for_uri(const std::string& host, const std::string& uri) {
    remote::ConnectOptions o;
    o.node = "host " + host;
    auto scheme_end = uri.find("://");
    if (scheme_end == std::string::npos)
        throw InputError("host `" + host + "`: `" + uri + "` names no remote host");
    std::string rest = uri.substr(scheme_end + 3);
    std::string authority = rest.substr(0, rest.find_first_of("/?"));
    std::string query =
        rest.find('?') == std::string::npos ? std::string() : rest.substr(rest.find('?') + 1);
    o.user = "root";
    if (auto at = authority.rfind('@'); at != std::string::npos) {
        o.user = percent_decode(authority.substr(0, at));
        authority = authority.substr(at + 1);
    }
    o.endpoint.host = authority;
    if (auto colon = authority.rfind(':');
        colon != std::string::npos && authority.find(']') == std::string::npos) {
        o.endpoint.host = authority.substr(0, colon);
        o.endpoint.port = std::atoi(authority.substr(colon + 1).c_str());
    }
    const char* home = std::getenv("HOME");
    fs::path ssh_dir = fs::path(home && *home ? home : "/root") / ".ssh";
    o.private_key = ssh_dir / "id_ed25519";
    o.known_hosts = ssh_dir / "known_hosts";
    for (const auto& pair : util::split(query, '&')) {
        auto eq = pair.find('=');
        if (eq == std::string::npos) continue;
        auto key = pair.substr(0, eq);
        auto value = percent_decode(pair.substr(eq + 1));
        if (key == "keyfile") o.private_key = value;
        if (key == "known_hosts") o.known_hosts = value;
    }
    o.deadline = std::chrono::seconds(30);
    return o;
}

std::unique_ptr<HostAccess> ssh_host_access(const std::string& host, const std::string& uri,
                                            const fs::path& scratch) {
    return std::make_unique<SshHost>(host, ssh_options_for_uri(host, uri), scratch);
}

std::string remote_rootfs(const fs::path& local_image_dir) {
    return std::string(remote_home) + "/image-cache/" + image_identity(local_image_dir) + "/rootfs";
}

bool ensure_remote_rootfs(HostAccess& host, const fs::path& local_image_dir,
                          const std::string& node) {
    fs::path rootfs = remote_rootfs(local_image_dir);
    fs::path dir = rootfs.parent_path();
    if (host.run({"test", "-e", (dir / "complete").string()}) == 0) return false;
    // An interrupted transfer's leftovers go first: the caller holds the HostTransferLock, so
    // no other labctl of this machine is sending to this host now.
    host.check({"sh", "-c", "rm -rf -- \"$1\".partial-*", "sh", dir.string()}, "image");
    // Unpacked beside under a name of its own, then renamed: an interrupted transfer never
    // looks complete, and two labctls sending the same image at once (from two machines) do
    // not mix their files; the second rename finds the first one's copy and keeps it.
    std::string partial = dir.string() + ".partial-" + util::random_token(8);
    host.put_tree(local_image_dir / "rootfs", partial + "/rootfs", "image");
    host.check({"sh", "-c",
                "touch \"$1/complete\" && if mv -T -- \"$1\" \"$2\" 2>/dev/null; then exit 0; fi; "
                "test -e \"$2/complete\" && exec rm -rf -- \"$1\"; "
                "echo \"cannot install $2\" >&2; exit 1",
                "sh", partial, dir.string()},
               "image");
    (void)node;
    return true;
}

std::string remote_lab_dir(const std::string& lab) {
    return std::string(remote_home) + "/labs/" + lab;
}

bool remove_remote_lab(HostAccess& host, const std::string& lab) {
    std::string dir = remote_lab_dir(lab);
    if (host.run({"test", "-e", dir}) != 0) return false;
    host.check({"sh", "-c",
                "for m in \"$1\"/overlays/*/merged; do ! mountpoint -q \"$m\" || umount \"$m\" || "
                "exit 1; done; rm -rf -- \"$1\"",
                "sh", dir},
               "cleanup");
    return true;
}

}  // namespace labctl::engine

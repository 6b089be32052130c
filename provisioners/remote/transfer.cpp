#include "remote/transfer.hpp"

#include <fcntl.h>
#include <openssl/evp.h>

#include <memory>
#include <random>
#include <set>
#include <sstream>

#include "util/files.hpp"
#include "util/strings.hpp"

namespace labctl::remote {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUploadStep = "upload";
constexpr std::size_t kChunk = 32768;  // below every SFTP server's packet limit

std::string sftp_error(Session& session) {
    return std::string(ssh_get_error(session.handle())) + " (sftp error " +
           std::to_string(sftp_get_error(session.sftp())) + ")";
}

std::string random_suffix() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    std::ostringstream out;
    out << std::hex << random();
    return out.str();
}

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
}

// Removes the temporary remote file unless the upload completed.
class RemoteTemp {
  public:
    RemoteTemp(sftp_session sftp, std::string path) : sftp_(sftp), path_(std::move(path)) {}
    RemoteTemp(const RemoteTemp&) = delete;
    RemoteTemp& operator=(const RemoteTemp&) = delete;
    ~RemoteTemp() {
        if (!done_) sftp_unlink(sftp_, path_.c_str());
    }
    const std::string& path() const { return path_; }
    void done() { done_ = true; }

  private:
    sftp_session sftp_;
    std::string path_;
    bool done_ = false;
};

}  // namespace

std::optional<unsigned> remote_mode(Session& session, const std::string& path) {
    SftpAttributesPtr attributes(sftp_stat(session.sftp(), path.c_str()));
    if (!attributes) return std::nullopt;
    return attributes->permissions & 07777;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        throw InfraError("sha256 failed");
    }
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xf];
    }
    return out;
}

void upload(Session& session, std::string_view content, const std::string& remote_path,
            unsigned mode) {
    sftp_session sftp = session.sftp();
    RemoteTemp temp(
        sftp, parent_of(remote_path) + "/.labctl-" + base_of(remote_path) + "." + random_suffix());
    {
        SftpFilePtr file(sftp_open(sftp, temp.path().c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
        if (!file) {
            throw InfraError("cannot create " + temp.path() + ": " + sftp_error(session),
                             session.node(), kUploadStep);
        }
        for (std::size_t offset = 0; offset < content.size(); offset += kChunk) {
            auto chunk = content.substr(offset, kChunk);
            if (sftp_write(file.get(), chunk.data(), chunk.size()) !=
                static_cast<ssize_t>(chunk.size())) {
                throw InfraError("cannot write " + temp.path() + ": " + sftp_error(session),
                                 session.node(), kUploadStep);
            }
        }
        // Durable before it replaces the old file (OpenSSH offers fsync@openssh.com).
        if (sftp_extension_supported(sftp, "fsync@openssh.com", "1") &&
            sftp_fsync(file.get()) != 0) {
            throw InfraError("cannot fsync " + temp.path() + ": " + sftp_error(session),
                             session.node(), kUploadStep);
        }
    }
    // Explicit chmod: the mode given at open is filtered by the server's umask.
    if (sftp_chmod(sftp, temp.path().c_str(), mode) != 0) {
        throw InfraError("cannot chmod " + temp.path() + ": " + sftp_error(session), session.node(),
                         kUploadStep);
    }
    // SFTP's own RENAME refuses to replace an existing file and libssh 0.10 has no call for
    // posix-rename@openssh.com, so the node's mv(1) does the rename(2): atomic on the same
    // filesystem, which the temporary name in the target directory guarantees.
    RunOptions options;
    options.step = kUploadStep;
    session.check({"mv", "-f", "-T", "--", temp.path(), remote_path}, options);
    temp.done();
}

std::map<std::string, std::string> remote_sha256(Session& session,
                                                 const std::vector<std::string>& paths, bool sudo) {
    std::map<std::string, std::string> hashes;
    if (paths.empty()) return hashes;
    std::vector<std::string> argv{"sha256sum", "--"};
    argv.insert(argv.end(), paths.begin(), paths.end());
    RunOptions options;
    options.step = "sha256";
    options.sudo = sudo;
    // Exit 1 just means some file is missing; those are simply absent from the map.
    auto result = session.run(argv, options);
    std::istringstream in(result.out);
    std::string line;
    std::set<std::string> wanted(paths.begin(), paths.end());
    while (std::getline(in, line)) {
        // "HASH  PATH"; a leading backslash marks an escaped name, which we then re-upload.
        if (line.size() < 67 || line[0] == '\\' || line.compare(64, 2, "  ") != 0) continue;
        auto path = line.substr(66);
        if (wanted.count(path)) hashes[path] = line.substr(0, 64);
    }
    return hashes;
}

std::optional<std::string> remote_sha256(Session& session, const std::string& path) {
    auto hashes = remote_sha256(session, std::vector<std::string>{path});
    auto it = hashes.find(path);
    if (it == hashes.end()) return std::nullopt;
    return it->second;
}

bool upload_if_changed(Session& session, std::string_view content, const std::string& remote_path,
                       unsigned mode) {
    auto remote = remote_sha256(session, remote_path);
    if (remote && *remote == sha256_hex(content)) {
        if (remote_mode(session, remote_path) == (mode & 07777)) return false;
        if (sftp_chmod(session.sftp(), remote_path.c_str(), mode) != 0) {
            throw InfraError("cannot chmod " + remote_path + ": " + sftp_error(session),
                             session.node(), kUploadStep);
        }
        return true;
    }
    upload(session, content, remote_path, mode);
    return true;
}

TreeUploadResult upload_tree(Session& session, const fs::path& local_dir,
                             const std::string& remote_dir) {
    if (!fs::is_directory(local_dir)) {
        throw InfraError("upload source " + local_dir.string() + " is not a directory",
                         session.node(), kUploadStep);
    }
    struct LocalFile {
        fs::path local;
        std::string remote;
        unsigned mode;
    };
    std::vector<LocalFile> files;
    std::set<std::string> dirs{remote_dir};
    std::string root = remote_dir;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    for (const auto& entry : fs::recursive_directory_iterator(local_dir)) {
        auto relative = fs::relative(entry.path(), local_dir).generic_string();
        if (entry.is_directory()) dirs.insert(root + "/" + relative);
        if (!entry.is_regular_file()) continue;
        auto perms = static_cast<unsigned>(entry.status().permissions());
        // Keep the executable bit, normalize the rest: what the lab runs, readable by all.
        unsigned mode = (perms & 0100) ? 0755 : 0644;
        files.push_back({entry.path(), root + "/" + relative, mode});
    }
    std::vector<std::string> dir_list(dirs.begin(), dirs.end());
    std::vector<std::string> mkdir{"mkdir", "-p", "--"};
    mkdir.insert(mkdir.end(), dir_list.begin(), dir_list.end());
    RunOptions options;
    options.step = kUploadStep;
    session.check(mkdir, options);

    std::vector<std::string> remote_paths;
    for (const auto& file : files) remote_paths.push_back(file.remote);
    auto hashes = remote_sha256(session, remote_paths);

    TreeUploadResult result;
    result.files = static_cast<int>(files.size());
    for (const auto& file : files) {
        auto content = util::read_file(file.local);
        auto it = hashes.find(file.remote);
        if (it != hashes.end() && it->second == sha256_hex(content)) {
            if (remote_mode(session, file.remote) == file.mode) continue;
            if (sftp_chmod(session.sftp(), file.remote.c_str(), file.mode) != 0) {
                throw InfraError("cannot chmod " + file.remote + ": " + sftp_error(session),
                                 session.node(), kUploadStep);
            }
        } else {
            upload(session, content, file.remote, file.mode);
        }
        ++result.changed;
    }
    return result;
}

}  // namespace labctl::remote

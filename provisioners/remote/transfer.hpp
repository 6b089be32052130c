// File transfer over one Session: SFTP to a temporary name in the target directory, then a
// rename, so a reader on the node sees the old file or the new one, never half of one.
// Unchanged files (same sha256 and mode) are not sent again.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "remote/session.hpp"

namespace labctl::remote {

// Lower-case hex sha256 of DATA, computed locally.
std::string sha256_hex(std::string_view data);

// Writes CONTENT to REMOTE_PATH with MODE (parent directory must exist). Always uploads.
void upload(Session& session, std::string_view content, const std::string& remote_path,
            unsigned mode = 0644);

// sha256 of each of PATHS that exists on the node (one remote `sha256sum` for all of them).
// SUDO reads files the login user cannot (secrets under /etc).
std::map<std::string, std::string> remote_sha256(Session& session,
                                                 const std::vector<std::string>& paths,
                                                 bool sudo = false);
std::optional<std::string> remote_sha256(Session& session, const std::string& path);

// Permission bits of a remote file, or nullopt when it does not exist (SFTP stat, as the
// login user).
std::optional<unsigned> remote_mode(Session& session, const std::string& path);

// Uploads only when the remote file differs in content or mode; returns true when it did
// anything (Ansible's `changed`).
bool upload_if_changed(Session& session, std::string_view content, const std::string& remote_path,
                       unsigned mode = 0644);

struct TreeUploadResult {
    int files = 0;    // regular files in the local tree
    int changed = 0;  // uploaded or re-moded
};

// Mirrors the regular files under LOCAL_DIR into REMOTE_DIR (created as needed), sending
// only files whose content or mode differ. Remote files absent locally are left alone.
TreeUploadResult upload_tree(Session& session, const std::filesystem::path& local_dir,
                             const std::string& remote_dir);

}  // namespace labctl::remote

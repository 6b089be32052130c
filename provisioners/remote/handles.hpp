// RAII owners for libssh's C handles, so every early return and exception releases them
// in the right order (channels and SFTP sessions before the session they live on).
#pragma once

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <memory>

namespace labctl::remote {

struct SessionDeleter {
    void operator()(ssh_session session) const {
        // ssh_disconnect on a never-connected session is harmless; free always.
        ssh_disconnect(session);
        ssh_free(session);
    }
};
struct ChannelDeleter {
    void operator()(ssh_channel channel) const {
        if (ssh_channel_is_open(channel)) ssh_channel_close(channel);
        ssh_channel_free(channel);
    }
};
struct SftpDeleter {
    void operator()(sftp_session sftp) const { sftp_free(sftp); }
};
struct SftpFileDeleter {
    void operator()(sftp_file file) const { sftp_close(file); }
};
struct SftpAttributesDeleter {
    void operator()(sftp_attributes attributes) const { sftp_attributes_free(attributes); }
};
struct KeyDeleter {
    void operator()(ssh_key key) const { ssh_key_free(key); }
};
struct CStringDeleter {
    void operator()(char* text) const { ssh_string_free_char(text); }
};

using SessionPtr = std::unique_ptr<std::remove_pointer_t<ssh_session>, SessionDeleter>;
using ChannelPtr = std::unique_ptr<std::remove_pointer_t<ssh_channel>, ChannelDeleter>;
using SftpPtr = std::unique_ptr<std::remove_pointer_t<sftp_session>, SftpDeleter>;
using SftpFilePtr = std::unique_ptr<std::remove_pointer_t<sftp_file>, SftpFileDeleter>;
using SftpAttributesPtr =
    std::unique_ptr<std::remove_pointer_t<sftp_attributes>, SftpAttributesDeleter>;
using KeyPtr = std::unique_ptr<std::remove_pointer_t<ssh_key>, KeyDeleter>;
using CStringPtr = std::unique_ptr<char, CStringDeleter>;

// ssh_init() exactly once per process, before any other libssh call (thread safe).
void ensure_libssh_initialized();

}  // namespace labctl::remote

// SSH keys labctl owns: the lab's client key, each node's pinned host key, and the lab's
// own known_hosts. Nothing here reads ~/.ssh; every private key is written 0600 through a
// temporary file and a rename, never under the user's umask.
//
// Layout in a lab's state directory (see store/paths.hpp):
//   ssh/id_ed25519, ssh/id_ed25519.pub   the lab's client key (authorized on every node)
//   ssh/hosts/NODE, ssh/hosts/NODE.pub   NODE's host key, injected at first boot
//   ssh/known_hosts                      one pinned line per node endpoint
//   ssh/endpoints.json                   optional NODE -> {host, port} overrides
#pragma once

#include <filesystem>
#include <string>

namespace labctl::remote {

struct KeyPair {
    std::string private_openssh;  // "-----BEGIN OPENSSH PRIVATE KEY-----..." (secret)
    std::string public_line;      // "ssh-ed25519 AAAA..."
};

KeyPair generate_ed25519();
// The public line of a private key in OpenSSH format (throws InfraError when unreadable).
std::string public_line_of(const std::string& private_openssh);

struct LabKey {
    std::filesystem::path private_path;
    std::string public_line;
};

std::filesystem::path ssh_dir(const std::filesystem::path& state_dir);
std::filesystem::path lab_key_path(const std::filesystem::path& state_dir);
std::filesystem::path known_hosts_path(const std::filesystem::path& state_dir);
std::filesystem::path endpoints_path(const std::filesystem::path& state_dir);

// Writes a key pair: PATH (0600) and PATH.pub (0644), each atomically.
void write_key_pair(const std::filesystem::path& path, const KeyPair& pair);
KeyPair read_key_pair(const std::filesystem::path& path);

// The lab key, created on first use (state dir 0700). Re-running returns the same key.
LabKey ensure_lab_key(const std::filesystem::path& state_dir);
// The lab key if it exists; throws InfraError (exit 3, "run labctl up first") otherwise.
LabKey existing_lab_key(const std::filesystem::path& state_dir);

// NODE's host key pair, created on first use.
KeyPair ensure_node_host_key(const std::filesystem::path& state_dir, const std::string& node);

// The known_hosts host field libssh matches: "addr" for port 22, "[addr]:port" otherwise.
std::string known_hosts_host(const std::string& host, int port);
// One known_hosts line: "[127.0.0.1]:2222 ssh-ed25519 AAAA...".
std::string known_hosts_line(const std::string& host, int port, const std::string& public_line);
// Pins PUBLIC_LINE for HOST:PORT in FILE: replaces any line for that host field, keeps the
// others, writes atomically. Used when labctl itself generated the host key.
void pin_host_key(const std::filesystem::path& file, const std::string& host, int port,
                  const std::string& public_line);

}  // namespace labctl::remote

// Generated secrets (broker and replication passwords) of one lab: random, written 0600
// through a temporary file and a rename, kept in the lab's state directory and nowhere
// else. They reach nodes over SFTP or stdin, never on a command line or in a log.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace labctl::store {

// STATE_DIR/secrets/NAME, created with a fresh random value on first use.
std::string ensure_secret(const std::filesystem::path& state_dir, const std::string& name);
// A value labctl learns rather than makes (a swarm's join token): written 0600 through a
// temporary file and a rename, replacing what was there.
void write_secret(const std::filesystem::path& state_dir, const std::string& name,
                  const std::string& value);
std::optional<std::string> read_secret(const std::filesystem::path& state_dir,
                                       const std::string& name);

}  // namespace labctl::store

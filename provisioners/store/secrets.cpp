#include "store/secrets.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace labctl::store {

using util::make_dirs;
using util::random_token;
using util::read_file;
using util::trim;
using util::write_file_atomic;

std::optional<std::string> read_secret(const std::filesystem::path& state_dir,
                                       const std::string& name) {
    auto path = state_dir / "secrets" / name;
    if (!std::filesystem::exists(path)) return std::nullopt;
    return trim(read_file(path));
}

void write_secret(const std::filesystem::path& state_dir, const std::string& name,
                  const std::string& value) {
    if (read_secret(state_dir, name) == trim(value)) return;
    make_dirs(state_dir / "secrets", 0700);
    write_file_atomic(state_dir / "secrets" / name, trim(value) + "\n", 0600);
}

std::string ensure_secret(const std::filesystem::path& state_dir, const std::string& name) {
    if (auto existing = read_secret(state_dir, name)) return *existing;
    make_dirs(state_dir / "secrets", 0700);
    auto path = state_dir / "secrets" / name;
    // Nodes are provisioned in parallel and may all ask at once: the first link(2) wins and
    // everyone else reads what it wrote, so no two nodes ever hold different passwords.
    auto candidate = path;
    candidate += ".new." + random_token(8);
    write_file_atomic(candidate, random_token() + "\n", 0600);
    int linked = ::link(candidate.c_str(), path.c_str());
    int error = errno;
    std::filesystem::remove(candidate);
    if (linked != 0 && error != EEXIST)
        throw InfraError("cannot create secret " + path.string() + ": " + std::strerror(error));
    return *read_secret(state_dir, name);
}

}  // namespace labctl::store

#include "util/secrets.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace labctl::util {

std::string random_token(std::size_t length) {
    // No characters a shell, SQL or a config file would read specially.
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::random_device device;
    std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
    std::string out;
    for (std::size_t i = 0; i < length; ++i) out += alphabet[pick(device)];
    return out;
}

std::optional<std::string> read_secret(const std::filesystem::path& state_dir,
                                       const std::string& name) {
    auto path = state_dir / "secrets" / name;
    if (!std::filesystem::exists(path)) return std::nullopt;
    return trim(read_file(path));
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

}  // namespace labctl::util

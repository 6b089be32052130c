#include "util/secrets.hpp"

#include <random>

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

std::optional<std::string> read_secret(const std::filesystem::path& state_dir, const std::string& name) {
    auto path = state_dir / "secrets" / name;
    if (!std::filesystem::exists(path)) return std::nullopt;
    return trim(read_file(path));
}

std::string ensure_secret(const std::filesystem::path& state_dir, const std::string& name) {
    if (auto existing = read_secret(state_dir, name)) return *existing;
    make_dirs(state_dir / "secrets", 0700);
    auto value = random_token();
    write_file_atomic(state_dir / "secrets" / name, value + "\n", 0600);
    return value;
}

}  // namespace labctl::util

#include "util/random.hpp"

#include <random>

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

}  // namespace labctl::util

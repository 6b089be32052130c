// Random tokens for passwords, probe keys and temporary names.
#pragma once

#include <cstddef>
#include <string>

namespace labctl::util {

// LENGTH characters from an alphabet no shell, SQL or config file reads specially.
std::string random_token(std::size_t length = 24);

}  // namespace labctl::util

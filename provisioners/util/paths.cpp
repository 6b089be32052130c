#include "util/paths.hpp"

#include <unistd.h>

#include <cstdlib>

namespace labctl::util {

std::filesystem::path labctl_home() {
    if (const char* home = std::getenv("LABCTL_HOME"); home && *home) return home;
    if (::geteuid() == 0) return "/var/lib/labctl";
    if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) return std::filesystem::path(data) / "labctl";
    const char* user_home = std::getenv("HOME");
    return std::filesystem::path(user_home ? user_home : "/tmp") / ".local/share/labctl";
}

std::filesystem::path images_dir() { return labctl_home() / "images"; }
std::filesystem::path image_dir(const std::string& image_name) { return images_dir() / image_name; }
std::filesystem::path lab_state_dir(const std::string& lab_name) { return labctl_home() / "labs" / lab_name; }

}  // namespace labctl::util

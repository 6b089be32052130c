#include "store/paths.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "util/error.hpp"

namespace labctl::store {

bool is_lab_name(std::string_view name) {
    if (name.empty() || name.size() > 31 || name[0] < 'a' || name[0] > 'z') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

std::filesystem::path labctl_home() {
    if (const char* home = std::getenv("LABCTL_HOME"); home && *home) return home;
    if (::geteuid() == 0) return "/var/lib/labctl";
    if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data)
        return std::filesystem::path(data) / "labctl";
    const char* user_home = std::getenv("HOME");
    return std::filesystem::path(user_home ? user_home : "/tmp") / ".local/share/labctl";
}

std::filesystem::path images_dir() {
    return labctl_home() / "images";
}
std::filesystem::path image_dir(const std::string& image_name) {
    return images_dir() / image_name;
}

std::filesystem::path lab_state_dir(const std::string& lab_name) {
    if (!is_lab_name(lab_name))
        throw InputError("bad lab name `" + lab_name +
                         "`: a lab name matches ^[a-z][a-z0-9-]{0,30}$");
    return labctl_home() / "labs" / lab_name;
}

}  // namespace labctl::store

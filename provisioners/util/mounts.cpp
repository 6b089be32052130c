#include "util/mounts.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace labctl::util {

namespace fs = std::filesystem;

std::string unescape_mountinfo(const std::string& field) {
    std::string out;
    for (size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
            i += 3;
        } else {
            out += field[i];
        }
    }
    return out;
}

std::vector<fs::path> mounts_below(const fs::path& dir) {
    std::error_code ec;
    const std::string root = fs::weakly_canonical(dir, ec).string();
    std::vector<fs::path> found;
    if (ec || root.empty()) return found;
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string id, parent, devno, mount_root, mount_point;
        fields >> id >> parent >> devno >> mount_root >> mount_point;
        std::string point = unescape_mountinfo(mount_point);
        if (point == root || point.rfind(root + "/", 0) == 0) found.emplace_back(point);
    }
    // Deepest first; mountinfo lists a stacked mount after the one it covers, and stable_sort
    // keeps that order reversed below, so the top one goes first.
    std::reverse(found.begin(), found.end());
    std::stable_sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
        return a.string().size() > b.string().size();
    });
    return found;
}

bool unmount_below(const fs::path& dir) {
    for (const auto& point : mounts_below(dir))
        if (::umount2(point.c_str(), 0) != 0) ::umount2(point.c_str(), MNT_DETACH);
    return mounts_below(dir).empty();
}

}  // namespace labctl::util

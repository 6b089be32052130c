#include "image/image_store.hpp"

#include <sys/stat.h>

#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace labctl::image {

namespace fs = std::filesystem;

std::optional<nlohmann::json> read_manifest(const std::string& name) {
    auto path = store::image_dir(name) / "manifest.json";
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    auto parsed = nlohmann::json::parse(util::read_file(path), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
    return parsed;
}

std::uintmax_t disk_usage(const fs::path& path) {
    std::uintmax_t total = 0;
    auto add = [&](const fs::path& p) {
        struct stat st {};
        if (::lstat(p.c_str(), &st) == 0) total += static_cast<std::uintmax_t>(st.st_blocks) * 512;
    };
    std::error_code ec;
    add(path);
    if (fs::is_directory(fs::symlink_status(path, ec)))
        for (auto it = fs::recursive_directory_iterator(
                 path, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            add(it->path());
    return total;
}

std::vector<ImageInfo> list_images() {
    std::vector<ImageInfo> images;
    std::error_code ec;
    if (!fs::is_directory(store::images_dir(), ec)) return images;
    for (const auto& entry : fs::directory_iterator(store::images_dir())) {
        auto name = entry.path().filename().string();
        // Dot entries are builds in progress, the apt cache and locks.
        if (name.empty() || name[0] == '.' || !entry.is_directory()) continue;
        ImageInfo info;
        info.name = name;
        info.dir = entry.path();
        info.manifest = read_manifest(name).value_or(nlohmann::json::object());
        info.bytes_on_disk = disk_usage(entry.path());
        images.push_back(std::move(info));
    }
    std::sort(images.begin(), images.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return images;
}

std::vector<std::string> overlays_using(const fs::path& image_dir) {
    std::vector<std::string> users;
    const std::string lower = (image_dir / "rootfs").string();
    // /proc/self/mountinfo: "... MOUNTPOINT ... - overlay overlay rw,lowerdir=...,upperdir=..."
    for (const auto& line : util::split(util::read_file("/proc/self/mountinfo"), '\n')) {
        auto fields = util::split(line, ' ');
        auto dash = std::find(fields.begin(), fields.end(), "-");
        if (fields.size() < 5 || dash == fields.end() || dash + 3 >= fields.end() ||
            *(dash + 1) != "overlay")
            continue;
        for (const auto& option : util::split(*(dash + 3), ','))
            if (option.rfind("lowerdir=", 0) == 0)
                for (const auto& dir : util::split(option.substr(9), ':'))
                    if (dir == lower) users.push_back(fields[4]);
    }
    return users;
}

void remove_image(const std::string& name) {
    auto dir = store::image_dir(name);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw InputError("no image named " + name + " (see `labctl image list`)");
    if (auto users = overlays_using(dir); !users.empty())
        throw InfraError("image " + name + " is in use by lxc overlays (" +
                             util::join(users, ", ") + "): run `labctl down` on those labs first",
                         "", "image rm");
    // Renamed first so a half-removed image never looks complete.
    auto doomed = store::images_dir() / ("." + name + ".old-rm");
    fs::remove_all(doomed);
    fs::rename(dir, doomed);
    fs::remove_all(doomed);
}

}  // namespace labctl::image

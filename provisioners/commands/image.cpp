// labctl image build | list | rm | seed | box.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>

#include "commands/lab_commands.hpp"
#include "commands/lab_loading.hpp"
#include "image/image_box.hpp"
#include "image/image_build.hpp"
#include "image/image_store.hpp"
#include "image/seed.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace labctl::commands {

namespace {

std::string human_size(std::uintmax_t bytes) {
    char buffer[32];
    if (bytes >= (1ull << 30))
        std::snprintf(buffer, sizeof buffer, "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
    else
        std::snprintf(buffer, sizeof buffer, "%.0f MiB", static_cast<double>(bytes) / (1ull << 20));
    return buffer;
}

int list(const ImageOptions& options, std::ostream& out) {
    auto images = image::list_images();
    if (options.json) {
        auto array = nlohmann::json::array();
        for (const auto& info : images) {
            array.push_back(
                {{"name", info.name},
                 {"path", info.dir.string()},
                 {"bytes", info.bytes_on_disk},
                 {"built", info.manifest.value("built", "")},
                 {"packages_sha256", info.manifest.value("packages_sha256", "")},
                 {"current", info.manifest.value("packages_sha256", "") == image::packages_hash()},
                 {"complete", !info.manifest.empty()}});
        }
        out << nlohmann::json{{"images", array}}.dump(2) << "\n";
        return 0;
    }
    if (images.empty()) {
        out << "no images; build one with `labctl image build`\n";
        return 0;
    }
    char line[256];
    std::snprintf(line, sizeof line, "%-20s %10s  %-20s  %s\n", "NAME", "SIZE", "BUILT",
                  "PACKAGES");
    out << line;
    const auto current = image::packages_hash();
    for (const auto& info : images) {
        auto hash = info.manifest.value("packages_sha256", std::string{});
        std::string packages = hash.empty()
                                   ? "(incomplete)"
                                   : hash.substr(0, 12) + (hash == current ? "" : " (outdated)");
        std::snprintf(line, sizeof line, "%-20s %10s  %-20s  %s\n", info.name.c_str(),
                      human_size(info.bytes_on_disk).c_str(),
                      info.manifest.value("built", "-").c_str(), packages.c_str());
        out << line;
    }
    return 0;
}

int seed(const GlobalOptions& global, const ImageOptions& options, std::ostream& out) {
    auto lab = load_lab(global);
    const auto* node = lab.node(options.node);
    if (!node) throw InputError("no node named " + options.node + " in " + global.file);
    auto read = [](const std::string& path) {
        if (!std::filesystem::is_regular_file(path)) throw InputError(path + ": no such file");
        return util::read_file(path);
    };
    render::NodeIdentity identity{read(options.authorized_key), read(options.host_key),
                                  read(options.host_key + ".pub")};
    image::write_seed_tree(lab, *node, identity, options.out_dir);
    if (!options.disk.empty()) image::make_seed_disk(options.out_dir, options.disk);
    if (!options.root.empty()) image::install_seed_in_root(options.out_dir, options.root);
    if (options.json) {
        auto nics = nlohmann::json::array();
        for (const auto& nic : node->nics)
            nics.push_back({{"network", nic.network},
                            {"mac", nic.mac},
                            {"address", nic.planned.str()},
                            {"static", nic.address.has_value()}});
        out << nlohmann::json{{"lab", lab.lab.name},
                              {"node", node->name},
                              {"user", node->user},
                              {"nics", nics}}
                   .dump()
            << "\n";
    }
    return 0;
}

}  // namespace

int run_image(const GlobalOptions& global, const ImageOptions& options, std::ostream& out) {
    // The name becomes a directory under the image store: the topology's name rule, no paths.
    static const std::regex name_rule("^[a-z][a-z0-9-]{0,30}$");
    if ((options.action == "build" || options.action == "rm" || options.action == "box") &&
        !std::regex_match(options.name, name_rule))
        throw InputError("bad image name `" + options.name + "`: use ^[a-z][a-z0-9-]{0,30}$");
    if (options.action == "build") {
        image::build_image(options.name, options.force, out);
        return 0;
    }
    if (options.action == "list") return list(options, out);
    if (options.action == "box") {
        image::make_vagrant_box(
            {options.name, options.output, options.box_user, options.box_driver}, out);
        return 0;
    }
    if (options.action == "seed") return seed(global, options, out);
    if (options.action == "rm") {
        image::remove_image(options.name);
        out << "image " << options.name << ": removed\n";
        return 0;
    }
    throw InputError("unknown image action " + options.action);
}

}  // namespace labctl::commands

#include "image/cloud_image.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "image/build_steps.hpp"
#include "topology/diagnostics.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace labctl::image {

namespace fs = std::filesystem;

namespace {

// The reason NODE's image cannot be used, or "" when it can.
std::string image_problem(const topo::Lab& lab, const topo::Node& node) {
    fs::path path = lab.image_file(node);
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (!fs::exists(status)) return "no such file " + path.string();
    if (!fs::is_regular_file(status)) return path.string() + " is not a regular file";
    if (::access(path.c_str(), R_OK) != 0) return "cannot read " + path.string();
    DiskImageInfo info;
    try {
        info = inspect_disk_image(path);
    } catch (const InfraError& error) {
        return error.what();
    }
    if (info.format != "qcow2" && info.format != "raw")
        return path.string() + " is a " + info.format +
               " image; labctl boots qcow2 or raw disk images";
    return "";
}

}  // namespace

DiskImageInfo inspect_disk_image(const fs::path& path) {
    if (!util::find_program("qemu-img"))
        throw InfraError("qemu-img not found: install qemu-utils (scripts/setup.sh)", "", "image");
    auto result =
        util::run_process({"qemu-img", "info", "-U", "--output=json", fs::absolute(path).string()});
    if (result.exit_code != 0)
        throw InfraError("qemu-img cannot read " + path.string() + ": " + util::trim(result.err),
                         "", "image");
    try {
        auto json = nlohmann::json::parse(result.out);
        return {json.at("format").get<std::string>(), json.at("virtual-size").get<long long>()};
    } catch (const nlohmann::json::exception& error) {
        throw InfraError("unexpected qemu-img output for " + path.string() + ": " + error.what(),
                         "", "image");
    }
}

void check_cloud_images(const topo::Lab& lab, bool vm_driver) {
    topo::Diagnostics diagnostics(lab.file);
    for (const auto& node : lab.nodes) {
        if (!node.uses_cloud_image()) continue;
        std::string prefix = "node `" + node.name + "`: image `" + node.image + "`: ";
        if (!vm_driver) {
            diagnostics.error(
                node.image_pos,
                prefix +
                    "a disk image needs a VM driver (qemu or kvm); the lxc driver runs only "
                    "base images built by `labctl image build`");
            continue;
        }
        if (auto problem = image_problem(lab, node); !problem.empty())
            diagnostics.error(node.image_pos, prefix + problem);
    }
    diagnostics.throw_if_any();
}

void make_cidata_disk(const std::vector<render::GeneratedFile>& files, const fs::path& tree,
                      const fs::path& image_path) {
    for (const char* tool : {"mkfs.vfat", "mcopy"})
        if (!util::find_program(tool))
            throw InfraError(
                std::string(tool) + " not found: install dosfstools and mtools (scripts/setup.sh)",
                "", "seed disk");
    // The tree, as the disk will hold it (kept in the lab's 0700 state dir, like the seed tree
    // of labctl's own images).
    std::vector<std::string> names;
    replace_private_tree(tree, [&](const fs::path& tmp_tree) {
        for (const auto& file : files) {
            auto name = fs::path(file.path).filename().string();
            util::write_file_atomic(tmp_tree / name, file.content, 0600);
            names.push_back(name);
        }
    });
    // Private: the disk carries the node's host private key.
    make_private_disk(image_path, 2 << 20, "seed disk", [&](const fs::path& tmp) {
        run_checked({"mkfs.vfat", "-n", cidata_label, tmp.string()}, "seed disk");
        for (const auto& name : names)
            run_checked({"mcopy", "-o", "-i", tmp.string(), (tree / name).string(), "::" + name},
                        "seed disk");
    });
}

}  // namespace labctl::image

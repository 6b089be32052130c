#include "image/cloud_image.hpp"
#include "image/build_steps.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

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
    if (diagnostics.empty()) return;
    auto text = diagnostics.format();
    if (!text.empty() && text.back() == '\n') text.pop_back();
    throw DiagnosticsError(text);
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
    fs::path tmp_tree = tree;
    tmp_tree += ".tmp";
    fs::remove_all(tmp_tree);
    util::make_dirs(tmp_tree.parent_path(), 0700);
    fs::create_directory(tmp_tree);
    fs::permissions(tmp_tree, fs::perms::owner_all, fs::perm_options::replace);
    std::vector<fs::path> written;
    for (const auto& file : files) {
        auto target = tmp_tree / fs::path(file.path).filename();
        util::write_file_atomic(target, file.content, 0600);
        written.push_back(target);
    }
    fs::remove_all(tree);
    fs::rename(tmp_tree, tree);

    fs::path tmp = image_path;
    tmp += ".tmp";
    fs::remove(tmp);
    // Created 0600 from the start: the disk carries the node's host private key.
    make_sparse_file(tmp, 2 << 20, 0600, "seed disk");
    try {
        run_checked({"mkfs.vfat", "-n", cidata_label, tmp.string()}, "seed disk");
        for (const auto& file : written)
            run_checked({"mcopy", "-o", "-i", tmp.string(), (tree / file.filename()).string(),
                         "::" + file.filename().string()},
                        "seed disk");
        fs::rename(tmp, image_path);
    } catch (...) {
        fs::remove(tmp);
        throw;
    }
}

}  // namespace labctl::image

#include "image/image_box.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <regex>

#include "image/build_steps.hpp"
#include "image/image_build.hpp"
#include "image/image_store.hpp"
#include "image/seed.hpp"
#include "remote/keys.hpp"
#include "render/template_set.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/mounts.hpp"

namespace labctl::image {

namespace fs = std::filesystem;

namespace {

constexpr const char* key_file = "labctl_box_ed25519";

// A read-only overlay of EXTRA over ROOTFS at MERGED, unmounted when the guard goes: the
// box's disk is the image's tree plus a few files, without copying the tree.
class ReadOnlyOverlay {
  public:
    ReadOnlyOverlay(const fs::path& extra, const fs::path& rootfs, fs::path merged)
        : merged_(std::move(merged)) {
        for (const auto& path : {extra, rootfs})
            if (path.string().find_first_of(":,") != std::string::npos)
                throw InfraError("overlayfs cannot take a path with ':' or ',': " + path.string(),
                                 "", "box");
        util::make_dirs(merged_, 0755);
        std::string options = "lowerdir=" + extra.string() + ":" + rootfs.string();
        if (::mount("overlay", merged_.c_str(), "overlay", MS_RDONLY, options.c_str()) != 0)
            throw InfraError(
                "cannot mount an overlay at " + merged_.string() + ": " + std::strerror(errno), "",
                "box");
    }
    // Every mount at MERGED (propagation to a peer at the same path stacks a second one; the
    // bench once died on `cannot remove all: Device or resource busy [.../merged]`).
    ~ReadOnlyOverlay() { util::unmount_below(merged_); }
    ReadOnlyOverlay(const ReadOnlyOverlay&) = delete;
    ReadOnlyOverlay& operator=(const ReadOnlyOverlay&) = delete;

  private:
    fs::path merged_;
};

// The seed the image's labctl-seed service applies at every boot (see
// templates/image/labctl-seed.sh): the login user with the box's key and sudo. No host key:
// the seed script generates one per machine.
void write_box_seed(const fs::path& extra, const std::string& user,
                    const std::string& public_line) {
    // Directories the overlay merges with the image's: the top layer's modes win.
    for (const auto& dir : {extra, extra / "var", extra / "var/lib"}) util::make_dirs(dir, 0755);
    fs::permissions(extra, fs::perms(0755), fs::perm_options::replace);
    const fs::path seed = extra / seed_dir_in_root;
    util::make_dirs(seed / "root/etc/sudoers.d", 0700);
    util::write_file_atomic(seed / "user", user + "\n", 0644);
    util::write_file_atomic(seed / "authorized_keys", public_line + "\n", 0644);
    util::write_file_atomic(
        seed / "root/etc/sudoers.d/labctl-box",
        "# Written by labctl image box: Vagrant runs provisioners with sudo.\n" + user +
            " ALL=(ALL) NOPASSWD:ALL\n",
        0440);
    // cp -a in the seed script copies these modes over the image's /etc.
    for (const auto& dir : {seed / "root", seed / "root/etc"})
        fs::permissions(dir, fs::perms(0755), fs::perm_options::replace);
    fs::permissions(seed / "root/etc/sudoers.d", fs::perms(0750), fs::perm_options::replace);
}

fs::path default_output(const std::string& image) {
    return fs::current_path() / ("labctl-" + image + ".box");
}

}  // namespace

fs::path make_vagrant_box(const BoxRequest& request, std::ostream& out) {
    static const std::regex user_rule("^[a-z_][a-z0-9_-]{0,31}$");
    if (!std::regex_match(request.user, user_rule))
        throw InputError("bad user name `" + request.user + "`: use ^[a-z_][a-z0-9_-]{0,31}$");
    if (request.driver != "kvm" && request.driver != "qemu")
        throw InputError("bad driver `" + request.driver + "`: use kvm or qemu");
    auto manifest = read_manifest(request.image);
    if (!manifest)
        throw InputError("no image " + request.image + ": build it with `labctl image build " +
                         request.image + "`");
    if (::geteuid() != 0)
        throw InfraError("image box needs root (it mounts an overlay of the image's rootfs)", "",
                         "box");
    const fs::path image_dir = store::image_dir(request.image);
    const fs::path output =
        fs::absolute(request.output.empty() ? default_output(request.image) : request.output);
    if (!fs::is_directory(output.parent_path()))
        throw InputError(output.parent_path().string() + ": no such directory");

    // Scratch space next to the image (same filesystem, room for a disk the image's size).
    const fs::path work =
        store::images_dir() / ("." + request.image + ".box-" + std::to_string(::getpid()));
    fs::path partial = output;
    partial += ".tmp-" + std::to_string(::getpid());
    ScratchTree scratch(work, 0700);  // unmounted and removed on every way out
    try {
        Stages stages(out, request.image);
        auto key = remote::generate_ed25519();
        remote::write_key_pair(work / "box" / key_file, key);
        stages.run("make box.img: the image plus a seed for user " + request.user, [&] {
            write_box_seed(work / "extra", request.user, key.public_line);
            ReadOnlyOverlay merged(work / "extra", image_dir / "rootfs", work / "merged");
            make_root_disk(work / "merged", work / "box" / "box.img");
        });
        nlohmann::json metadata{{"provider", "libvirt"},
                                {"format", "qcow2"},
                                {"virtual_size", disk_virtual_bytes >> 30}};
        util::write_file_atomic(work / "box/metadata.json", metadata.dump(2) + "\n", 0644);
        render::Data data = render::object_data();
        data.set("image", request.image);
        data.set("user", request.user);
        data.set("driver", request.driver);
        data.set("cmdline", manifest->value("kernel_cmdline", std::string(kernel_cmdline)));
        util::write_file_atomic(
            work / "box/Vagrantfile",
            render::TemplateSet{}.render("vagrant/box-Vagrantfile.mustache", data), 0644);
        stages.run("pack " + output.filename().string(), [&] {
            run_checked({"tar", "-cf", partial.string(), "-C", (work / "box").string(),
                         "metadata.json", "Vagrantfile", "box.img", key_file, "-C",
                         image_dir.string(), "vmlinuz", "initrd.img"},
                        "tar");
            fs::permissions(partial, fs::perms(0600), fs::perm_options::replace);
            fs::rename(partial, output);
        });
        out << "image " << request.image << ": box " << output.string() << " ("
            << (fs::file_size(output) >> 20) << " MiB) in "
            << Stages::format_seconds(stages.total()) << "\n  vagrant box add --name labctl/"
            << request.image << " " << output.string() << "\n";
        return output;
    } catch (...) {
        std::error_code ignored;
        fs::remove(partial, ignored);  // the scratch tree goes with its guard
        throw;
    }
}

}  // namespace labctl::image

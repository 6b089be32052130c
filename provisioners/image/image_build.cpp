#include "image/image_build.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "image/build_steps.hpp"
#include "image/image_store.hpp"
#include "render/template_set.hpp"
#include "services/registry.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/stamp.hpp"
#include "util/strings.hpp"

namespace labctl::image {

namespace fs = std::filesystem;

namespace {

// Appends what is not yet in LIST, keeping the order (the image's package list is stable).
void add_missing(std::vector<std::string>& list, const std::vector<std::string>& more) {
    for (const auto& item : more)
        if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace

const std::vector<std::string>& base_packages() {
    static const std::vector<std::string> packages = [] {
        std::vector<std::string> all{// Boot, login and network.
                                     "systemd-sysv",           "udev",     "dbus",
                                     "openssh-server",         "iproute2", "iputils-ping",
                                     "ca-certificates",        "sudo",     "initramfs-tools",
                                     "linux-image-cloud-amd64"};
        // What the service types run, as each type says (services/<type>/).
        for (const auto* kind : services::all_kinds())
            add_missing(all, kind->image_needs().packages);
        return all;
    }();
    return packages;
}

const std::vector<std::string>& disabled_units() {
    static const std::vector<std::string> units = [] {
        std::vector<std::string> all;
        for (const auto* kind : services::all_kinds())
            add_missing(all, kind->image_needs().disabled_units);
        // Periodic jobs: apt has no archive to reach, and the rest only costs CPU under TCG.
        add_missing(all, {"apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer",
                          "e2scrub_reap.service", "fstrim.timer"});
        return all;
    }();
    return units;
}

namespace {

constexpr const char* suite = "bookworm";

std::string sha256(const std::string& text) {
    auto result = util::run_process({"sha256sum"}, text);
    if (result.exit_code != 0)
        throw InfraError("sha256sum failed: " + util::trim(result.err), "", "image");
    return result.out.substr(0, 64);
}

// What the image holds, hashed into its name: the packages, and the types' hooks that change
// the tree.
std::string package_list_text() {
    std::string text = util::join(base_packages(), "\n") + "\n";
    for (const auto* kind : services::all_kinds())
        for (const auto& hook : kind->image_needs().image_hooks) text += "hook " + hook + "\n";
    return text;
}

void require_tools() {
    std::vector<std::string> missing;
    for (const char* tool : {"mmdebstrap", "mkfs.ext4", "qemu-img", "sha256sum", "chroot"})
        if (!util::find_program(tool)) missing.emplace_back(tool);
    if (!missing.empty())
        throw InfraError("image build needs " + util::join(missing, ", ") +
                             ": install mmdebstrap, e2fsprogs and qemu-utils (scripts/setup.sh)",
                         "", "image build");
    if (::geteuid() != 0)
        throw InfraError(
            "image build needs root (mmdebstrap --mode=root creates device nodes and root-owned "
            "files)",
            "", "image build");
}

// Files baked into every image, laid out as they go under /.
void write_baked_files(const fs::path& overlay) {
    render::TemplateSet templates;
    auto put = [&](const std::string& path, const std::string& template_name, unsigned mode) {
        auto target = overlay / path;
        util::make_dirs(target.parent_path(), 0755);
        util::write_file_atomic(target, templates.source(template_name), mode);
    };
    put("usr/local/sbin/labctl-seed", "image/labctl-seed.sh", 0755);
    put("etc/systemd/system/labctl-seed.service", "image/labctl-seed.service", 0644);
    put("etc/systemd/network/99-dhcp.network", "image/99-dhcp.network", 0644);
    put("etc/ssh/sshd_config.d/labctl.conf", "image/sshd-labctl.conf", 0644);
    put("etc/fstab", "image/fstab", 0644);
    util::write_file_atomic(overlay / "etc/hostname", "labctl\n", 0644);
}

std::vector<std::string> mmdebstrap_argv(const fs::path& rootfs, const fs::path& overlay,
                                         const fs::path& apt_cache) {
    auto q = [](const fs::path& path) { return util::shell_quote(path.string()); };
    std::string disable;
    for (const auto& unit : disabled_units()) disable += " " + unit;
    std::vector<std::string> argv{
        "mmdebstrap", "--variant=minbase", "--mode=root",
        "--include=" + util::join(base_packages(), ","),
        // No docs, man pages or translations: smaller and faster. openjdk's postinst still
        // links into man1, so that directory must exist.
        "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-exclude=/usr/share/man/*",
        "--dpkgopt=path-exclude=/usr/share/info/*", "--dpkgopt=path-exclude=/usr/share/locale/*",
        "--dpkgopt=path-include=/usr/share/locale/locale.alias", "--aptopt=Acquire::Retries \"3\"",
        "--setup-hook=mkdir -p \"$1\"/usr/share/man/man1",
        // Downloaded .debs are kept in labctl's apt cache: a rebuild (--force, a new package)
        // downloads only what changed.
        "--skip=download/empty", "--skip=essential/unlink",
        "--setup-hook=mkdir -p \"$1\"/var/cache/apt/archives",
        "--setup-hook=sync-in " + apt_cache.string() + " /var/cache/apt/archives",
        "--customize-hook=sync-out /var/cache/apt/archives " + apt_cache.string(),
        "--customize-hook=rm -f \"$1\"/var/cache/apt/archives/*.deb "
        "\"$1\"/var/cache/apt/archives/partial/*.deb",
        // labctl's own files: seed script and unit, catch-all DHCP, sshd settings, fstab.
        "--customize-hook=cp -a " + q(overlay) + "/. \"$1\"/",
        // Daemons stay off (guests have no internet; labctl starts what the topology asks).
        "--customize-hook=chroot \"$1\" systemctl disable --quiet" + disable,
        "--customize-hook=chroot \"$1\" systemctl enable --quiet systemd-networkd.service "
        "labctl-seed.service ssh.service",
        // Per-node identity comes from the seed: no host keys, an empty machine-id.
        "--customize-hook=rm -f \"$1\"/etc/ssh/ssh_host_* \"$1\"/var/lib/dbus/machine-id",
        "--customize-hook=: > \"$1\"/etc/machine-id",
        // systemd creates /run/nologin at boot until systemd-user-sessions starts, and
        // pam_nologin refuses every non-root login meanwhile; under load that gap outlasted
        // labctl's SSH deadline. The image masks it for every boot (a node's seed comes too late:
        // systemd-tmpfiles may run before the seed service copies its files).
        "--customize-hook=ln -sf /dev/null \"$1\"/etc/tmpfiles.d/systemd-nologin.conf"};
    // What each service type sets up in the tree (services/<type>/).
    for (const auto* kind : services::all_kinds())
        for (const auto& hook : kind->image_needs().image_hooks)
            argv.push_back("--customize-hook=" + hook);
    argv.push_back(suite);
    argv.push_back(rootfs.string());
    return argv;
}

fs::path single_match(const fs::path& dir, const std::string& prefix) {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().filename().string().rfind(prefix, 0) == 0 && !entry.is_symlink())
            found.push_back(entry.path());
    if (found.size() != 1)
        throw InfraError("expected one " + prefix + "* in " + dir.string() + ", found " +
                             std::to_string(found.size()),
                         "", "kernel");
    return found.front();
}

// Leftovers of builds of NAME that were killed before they could clean up (SIGKILL, a crash,
// a signal outside a stage's program). Called with NAME's build lock held, so no other build
// of NAME is running and every such directory is stale, whatever its pid (pids are reused).
void remove_stale_builds(const std::string& name) {
    if (!fs::exists(store::images_dir())) return;
    for (const auto& entry : fs::directory_iterator(store::images_dir())) {
        auto file = entry.path().filename().string();
        for (const std::string& prefix : {"." + name + ".build-", "." + name + ".old-"}) {
            if (file.rfind(prefix, 0) != 0) continue;
            auto pid = file.substr(prefix.size());
            if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
            // A build killed between moving the complete old image aside and moving the new
            // one in: the old image is the only one left, so it goes back, not away.
            if (prefix.find(".old-") != std::string::npos && !fs::exists(store::image_dir(name)) &&
                fs::exists(entry.path() / "manifest.json")) {
                fs::rename(entry.path(), store::image_dir(name));
                continue;
            }
            fs::remove_all(entry.path());
        }
    }
}

}  // namespace

std::string packages_hash() {
    return sha256("recipe " + std::to_string(recipe_version) + "\n" + package_list_text());
}

BuildResult build_image(const std::string& name, bool force, std::ostream& out) {
    const fs::path dir = store::image_dir(name);
    const std::string hash = packages_hash();
    if (!force) {
        if (auto manifest = read_manifest(name);
            manifest && manifest->value("packages_sha256", "") == hash) {
            out << "image " << name << ": up to date (packages " << hash.substr(0, 12) << ", built "
                << manifest->value("built", "?") << "), reused; --force rebuilds\n";
            return {dir, false};
        }
    }
    require_tools();
    util::make_dirs(store::images_dir(), 0755);
    util::LockFile lock(store::images_dir() / ("." + name + ".lock"));
    if (!lock.try_acquire("labctl image build " + name))
        throw LabError(ExitCode::locked, "image " + name + " is being built by " + lock.holder());
    remove_stale_builds(name);
    if (fs::exists(dir) && !overlays_using(dir).empty())
        throw InfraError("image " + name + " is in use by lxc overlays (" +
                             util::join(overlays_using(dir), ", ") +
                             "): run `labctl down` on those labs first",
                         "", "image build");

    // Everything is built in a temporary directory next to the final one and renamed into
    // place at the end: an interrupted build never leaves a half image.
    const fs::path work =
        store::images_dir() / ("." + name + ".build-" + std::to_string(::getpid()));
    // Unmounted (mmdebstrap's /proc, /sys in the chroot, if it died) and removed on failure;
    // on success it has been renamed away and there is nothing left to remove.
    ScratchTree scratch(work, 0755);
    const fs::path apt_cache = store::images_dir() / ".cache" / "apt";
    util::make_dirs(apt_cache, 0755);
    const fs::path rootfs = work / "rootfs";
    const fs::path overlay = work / "baked";
    {
        Stages stages(out, name);
        write_baked_files(overlay);
        stages.run("bootstrap Debian " + std::string(suite) + " with " +
                       std::to_string(base_packages().size()) + " packages (mmdebstrap)",
                   [&] {
                       run_checked(mmdebstrap_argv(rootfs, overlay, apt_cache), "mmdebstrap",
                                   work.parent_path() / ("." + name + ".mmdebstrap.log"));
                   });
        fs::remove_all(overlay);
        stages.run("copy kernel and initrd", [&] {
            fs::copy_file(single_match(rootfs / "boot", "vmlinuz-"), work / "vmlinuz");
            fs::copy_file(single_match(rootfs / "boot", "initrd.img-"), work / "initrd.img");
        });
        stages.run("make the qcow2 root disk (mkfs.ext4 -d, qemu-img convert)",
                   [&] { make_root_disk(rootfs, work / "disk.qcow2"); });

        nlohmann::json manifest{
            {"name", name},
            {"suite", suite},
            {"packages", base_packages()},
            {"packages_sha256", hash},
            {"recipe", recipe_version},
            {"disabled_units", disabled_units()},
            {"built", util::utc_now()},
            {"build_seconds", 0},
            {"labctl_version", LABCTL_VERSION},
            {"kernel_cmdline", kernel_cmdline},
            {"files",
             {{"disk", "disk.qcow2"},
              {"kernel", "vmlinuz"},
              {"initrd", "initrd.img"},
              {"rootfs", "rootfs"}}},
            {"sizes",
             {{"disk_qcow2_bytes", fs::file_size(work / "disk.qcow2")},
              {"disk_virtual_bytes", disk_virtual_bytes},
              {"rootfs_bytes", disk_usage(rootfs)},
              {"kernel_bytes", fs::file_size(work / "vmlinuz")},
              {"initrd_bytes", fs::file_size(work / "initrd.img")}}},
        };
        manifest["build_seconds"] = std::round(stages.total() * 10) / 10;
        util::write_file_atomic(work / "manifest.json", manifest.dump(2) + "\n", 0644);

        // Swap: the old image (if any) moves aside, the new one in, the old one goes.
        fs::path old = store::images_dir() / ("." + name + ".old-" + std::to_string(::getpid()));
        if (fs::exists(dir)) fs::rename(dir, old);
        fs::rename(work, dir);
        fs::remove_all(old);
        out << "image " << name << ": built in " << Stages::format_seconds(stages.total()) << " -> "
            << dir.string() << "\n";
        return {dir, true};
    }
}

}  // namespace labctl::image

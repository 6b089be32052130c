#include "image/build_steps.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/interrupt.hpp"
#include "util/mounts.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace labctl::image {

namespace fs = std::filesystem;

void Stages::run(const std::string& title, const std::function<void()>& body) {
    util::interrupt_point("image " + image_ + ": " + title);
    out_ << "image " << image_ << ": " << title << " ..." << std::flush;
    auto start = std::chrono::steady_clock::now();
    try {
        body();
    } catch (const InterruptedError&) {
        out_ << " interrupted\n" << std::flush;  // ends the stage's line
        throw;
    } catch (...) {
        out_ << " failed\n" << std::flush;
        throw;
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out_ << " " << format_seconds(seconds) << "\n" << std::flush;
    total_ += seconds;
}

std::string Stages::format_seconds(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
    return buffer;
}

ScratchTree::ScratchTree(fs::path dir, unsigned mode) : dir_(std::move(dir)) {
    util::unmount_below(dir_);  // a leftover of a crashed run with this pid
    fs::remove_all(dir_);
    util::make_dirs(dir_, mode);
}

ScratchTree::~ScratchTree() {
    // Never remove_all through a mount: it would delete what the mount shows (an image's tree).
    if (!util::unmount_below(dir_)) {
        spdlog::warn("{}: still mounted below it after a lazy unmount; left in place",
                     dir_.string());
        return;
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (ec) spdlog::warn("cannot remove the scratch tree {}: {}", dir_.string(), ec.message());
}

void run_checked(const std::vector<std::string>& argv, const std::string& step,
                 const fs::path& log) {
    auto result = util::run_process(argv);
    if (!log.empty()) util::write_file_atomic(log, result.out + result.err, 0644);
    if (result.exit_code == 0) return;
    // The last lines of the tool's output say what went wrong; the full log (when kept)
    // has the rest.
    auto lines = util::split(util::trim(result.err.empty() ? result.out : result.err), '\n');
    std::vector<std::string> tail(lines.size() > 15 ? lines.end() - 15 : lines.begin(),
                                  lines.end());
    throw InfraError(argv[0] + " failed (exit " + std::to_string(result.exit_code) + ")" +
                         (log.empty() ? "" : ", log: " + log.string()) + ":\n" +
                         util::join(tail, "\n"),
                     "", step);
}

void make_sparse_file(const fs::path& path, std::uintmax_t bytes, unsigned mode,
                      const std::string& step) {
    util::Fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)};
    if (!fd) throw InfraError("cannot create " + path.string(), "", step);
    if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0)
        throw InfraError("cannot size " + path.string(), "", step);
}

void replace_private_tree(const fs::path& dir, const std::function<void(const fs::path&)>& fill) {
    fs::path tmp = dir;
    tmp += ".tmp";
    fs::remove_all(tmp);
    util::make_dirs(tmp.parent_path(), 0700);
    fs::create_directory(tmp);
    fs::permissions(tmp, fs::perms::owner_all, fs::perm_options::replace);
    fill(tmp);
    fs::remove_all(dir);
    fs::rename(tmp, dir);
}

void make_private_disk(const fs::path& path, std::uintmax_t bytes, const std::string& step,
                       const std::function<void(const fs::path&)>& fill) {
    fs::path tmp = path;
    tmp += ".tmp";
    fs::remove(tmp);
    make_sparse_file(tmp, bytes, 0600, step);
    try {
        fill(tmp);
        fs::rename(tmp, path);
    } catch (...) {
        fs::remove(tmp);
        throw;
    }
}

void make_root_disk(const fs::path& tree, const fs::path& qcow2) {
    fs::path raw = qcow2;
    raw.replace_extension(".raw");
    fs::remove(raw);
    make_sparse_file(raw, disk_virtual_bytes, 0644, "mkfs");
    try {
        run_checked(
            {"mkfs.ext4", "-q", "-F", "-L", "labctl-root", "-d", tree.string(), raw.string()},
            "mkfs");
        run_checked({"qemu-img", "convert", "-O", "qcow2", raw.string(), qcow2.string()},
                    "qemu-img");
    } catch (...) {
        fs::remove(raw);
        throw;
    }
    fs::remove(raw);
}

}  // namespace labctl::image

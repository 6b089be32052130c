// Pieces shared by `image build` and `image box`: staged progress lines, running a tool
// with its output tail in the error, and turning a directory tree into a qcow2 root disk.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace labctl::image {

// Sparse virtual size of a root disk: what guests can fill (logs, databases, uploads).
inline constexpr std::uintmax_t disk_virtual_bytes = 8ull << 30;

// Runs one stage, printing its title first and its time when done, so a slow stage is
// visibly in progress:  "image NAME: TITLE ... 12.3 s".
class Stages {
  public:
    Stages(std::ostream& out, std::string image) : out_(out), image_(std::move(image)) {}

    void run(const std::string& title, const std::function<void()>& body);
    double total() const { return total_; }

    static std::string format_seconds(double seconds);

  private:
    std::ostream& out_;
    std::string image_;
    double total_ = 0;
};

// A scratch directory that goes away with everything in it when the guard goes, on success
// and on failure: every mount below it is unmounted first (deepest first, lazily when busy),
// then the tree is removed. A removal that fails is logged, never thrown, so it cannot mask
// the error that is unwinding the stack. Made empty (a leftover of the same name removed
// first) with MODE.
class ScratchTree {
  public:
    ScratchTree(std::filesystem::path dir, unsigned mode);
    ~ScratchTree();
    ScratchTree(const ScratchTree&) = delete;
    ScratchTree& operator=(const ScratchTree&) = delete;
    const std::filesystem::path& path() const { return dir_; }

  private:
    std::filesystem::path dir_;
};

// Runs ARGV; on failure throws InfraError (step STEP) with the last lines of the tool's
// output. LOG, when given, receives the whole output either way.
void run_checked(const std::vector<std::string>& argv, const std::string& step,
                 const std::filesystem::path& log = {});

// Creates PATH (which must not exist) as a sparse file of BYTES with MODE from the start, so a
// disk that will hold secrets is never readable by others, not even while it is empty.
void make_sparse_file(const std::filesystem::path& path, std::uintmax_t bytes, unsigned mode,
                      const std::string& step);

// Fills a fresh 0700 directory next to DIR (DIR.tmp) through FILL, then swaps it in for DIR:
// a crash never leaves a half tree where DIR was.
void replace_private_tree(const std::filesystem::path& dir,
                          const std::function<void(const std::filesystem::path&)>& fill);

// A small disk image that will hold secrets: FILL formats and fills a fresh sparse file of
// BYTES, mode 0600 from the start, at PATH.tmp; renamed to PATH when FILL returns, removed
// when it throws.
void make_private_disk(const std::filesystem::path& path, std::uintmax_t bytes,
                       const std::string& step,
                       const std::function<void(const std::filesystem::path&)>& fill);

// An ext4 filesystem labelled labctl-root holding TREE (mkfs.ext4 -d, no loop device or
// mount needed), converted to the qcow2 QCOW2. The raw scratch file goes next to QCOW2.
void make_root_disk(const std::filesystem::path& tree, const std::filesystem::path& qcow2);

}  // namespace labctl::image

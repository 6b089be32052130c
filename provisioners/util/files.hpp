// RAII file helpers in the spirit of ccache's util layer: a file descriptor that closes
// itself, an exclusive lock file, and an atomic file that is either fully written and
// renamed into place, or never appears.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace labctl::util {

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd();

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_ = -1;
};

// Writes to PATH.tmp.XXXXXX and renames over PATH on commit(); the destructor removes the
// temporary file when commit() was never called, so a crash leaves the old file intact.
class AtomicFile {
  public:
    AtomicFile(std::filesystem::path path, unsigned mode = 0644);
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    void write(std::string_view data);
    void commit();

  private:
    std::filesystem::path path_;
    std::string tmp_path_;
    Fd fd_;
    bool committed_ = false;
};

// An flock(2)-held lock on PATH. try_acquire() returns false when another process holds it;
// the holder's description (pid and command) is then readable with holder().
class LockFile {
  public:
    explicit LockFile(std::filesystem::path path);
    bool try_acquire(std::string_view description);
    std::string holder() const;
    ~LockFile();

  private:
    std::filesystem::path path_;
    Fd fd_;
};

std::string read_file(const std::filesystem::path& path);
void write_file_atomic(const std::filesystem::path& path, std::string_view data,
                       unsigned mode = 0644);
// mkdir -p with the given mode on every directory it creates.
void make_dirs(const std::filesystem::path& path, unsigned mode = 0755);

}  // namespace labctl::util

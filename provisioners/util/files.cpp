#include "util/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "util/error.hpp"

namespace labctl::util {

namespace {
[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw InfraError(what + " " + path.string() + ": " + std::strerror(errno));
}
}  // namespace

Fd& Fd::operator=(Fd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

Fd::~Fd() {
    if (fd_ >= 0) ::close(fd_);
}

AtomicFile::AtomicFile(std::filesystem::path path, unsigned mode) : path_(std::move(path)) {
    std::string pattern = path_.string() + ".tmp.XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    fd_ = Fd(::mkstemp(buffer.data()));
    if (!fd_) fail("cannot create temporary file for", path_);
    tmp_path_ = buffer.data();
    if (::fchmod(fd_.get(), mode) != 0) fail("cannot chmod", tmp_path_);
}

AtomicFile::~AtomicFile() {
    if (!committed_ && !tmp_path_.empty()) ::unlink(tmp_path_.c_str());
}

void AtomicFile::write(std::string_view data) {
    while (!data.empty()) {
        auto written = ::write(fd_.get(), data.data(), data.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            fail("cannot write", tmp_path_);
        }
        data.remove_prefix(static_cast<std::size_t>(written));
    }
}

void AtomicFile::commit() {
    if (::fsync(fd_.get()) != 0) fail("cannot fsync", tmp_path_);
    fd_ = Fd();
    if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) fail("cannot rename into", path_);
    committed_ = true;
}

LockFile::LockFile(std::filesystem::path path) : path_(std::move(path)) {}

bool LockFile::try_acquire(std::string_view description) {
    fd_ = Fd(::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd_) fail("cannot open lock file", path_);
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            fd_ = Fd();
            return false;
        }
        fail("cannot lock", path_);
    }
    // The lock is ours: record who holds it so a second labctl can name us.
    if (::ftruncate(fd_.get(), 0) == 0) {
        std::string text(description);
        text += '\n';
        if (::pwrite(fd_.get(), text.data(), text.size(), 0) < 0) {
            // Only informational; the lock itself is held.
        }
    }
    return true;
}

std::string LockFile::holder() const {
    std::ifstream in(path_);
    std::string line;
    std::getline(in, line);
    return line.empty() ? "another labctl" : line;
}

LockFile::~LockFile() = default;  // closing the descriptor releases the flock

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot read", path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void write_file_atomic(const std::filesystem::path& path, std::string_view data, unsigned mode) {
    AtomicFile file(path, mode);
    file.write(data);
    file.commit();
}

void make_dirs(const std::filesystem::path& path, unsigned mode) {
    if (path.empty() || std::filesystem::is_directory(path)) return;
    make_dirs(path.parent_path(), mode);
    if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) fail("cannot create directory", path);
}

}  // namespace labctl::util

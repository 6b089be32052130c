#include "virt/virt_error.hpp"

#include <libvirt/virterror.h>

#include <cstdlib>
#include <fstream>
#include <mutex>

#include "util/error.hpp"
#include "util/strings.hpp"
#include "virt/handles.hpp"

namespace labctl::virt {

void CharDeleter::operator()(char* p) const {
    std::free(p);
}

namespace {
// Keeps the error in the thread's last-error slot (read by throw_last_error) and prints nothing.
void ignore_error(void*, virErrorPtr) {}
}  // namespace

void silence_libvirt_errors() {
    static std::once_flag once;
    std::call_once(once, [] {
        virInitialize();
        virSetErrorFunc(nullptr, ignore_error);
    });
}

std::string last_error_message() {
    virErrorPtr error = virGetLastError();
    if (error && error->message) return error->message;
    return "unknown libvirt error";
}

int last_error_code() {
    virErrorPtr error = virGetLastError();
    return error ? error->code : 0;
}

namespace {
// What to do when libvirt's failure is the host running out of inotify instances: every LXC
// node's systemd takes several and each network's dnsmasq one, and Debian's default of 128
// per user ran out with about three labs at once here ("dnsmasq: failed to create inotify:
// Too many open files").
std::string host_limit_hint(const std::string& message) {
    if (message.find("inotify") == std::string::npos) return "";
    std::ifstream file("/proc/sys/fs/inotify/max_user_instances");
    std::string limit = "?";
    file >> limit;
    return " (the host's inotify instances are used up: fs.inotify.max_user_instances is " + limit +
           "; raise it, e.g. `sysctl fs.inotify.max_user_instances=1024`, or run fewer nodes)";
}
}  // namespace

void throw_last_error(const std::string& what, const std::string& node, const std::string& step) {
    // libvirt ends some messages (a driver's captured log output) with a newline.
    std::string message = what + ": " + util::trim(last_error_message());
    message += host_limit_hint(message);
    virResetLastError();
    throw InfraError(message, node, step);
}

}  // namespace labctl::virt

#include "remote/handles.hpp"

#include <mutex>

#include "util/error.hpp"

namespace labctl::remote {

void ensure_libssh_initialized() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (ssh_init() != SSH_OK) throw InfraError("cannot initialize libssh");
    });
}

}  // namespace labctl::remote

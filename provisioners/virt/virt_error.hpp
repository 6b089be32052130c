// libvirt errors as labctl::InfraError. libvirt's default handler prints every error to
// stderr by itself; labctl installs a silent one and reports the error once, with the node
// and the step it happened in.
#pragma once

#include <string>

namespace labctl::virt {

// Replaces libvirt's default (printing) error handler for the whole process. Idempotent.
void silence_libvirt_errors();

// The last libvirt error of this thread, or "unknown libvirt error".
std::string last_error_message();
// The libvirt error code of this thread's last error (virErrorNumber), 0 when none.
int last_error_code();

// Throws InfraError("WHAT: <libvirt message>", node, step).
[[noreturn]] void throw_last_error(const std::string& what, const std::string& node = {},
                                   const std::string& step = {});

}  // namespace labctl::virt

// Commands that act on libvirt, guests and the lab's state.
#pragma once

#include <ostream>

#include "commands/options.hpp"

namespace labctl::commands {

int run_up(const GlobalOptions& global, const UpOptions& options, std::ostream& out);
int run_down(const GlobalOptions& global, const DownOptions& options, std::ostream& out);
int run_status(const GlobalOptions& global, const StatusOptions& options, std::ostream& out);
int run_kill(const GlobalOptions& global, const KillOptions& options, std::ostream& out);
int run_revive(const GlobalOptions& global, const KillOptions& options, std::ostream& out);
int run_verify(const GlobalOptions& global, const VerifyOptions& options, std::ostream& out);
int run_check(const GlobalOptions& global, const CheckOptions& options, std::ostream& out);
int run_ssh(const GlobalOptions& global, const SshOptions& options);
int run_image(const GlobalOptions& global, const ImageOptions& options, std::ostream& out);
int run_export(const GlobalOptions& global, const ExportOptions& options, std::ostream& out);

}  // namespace labctl::commands

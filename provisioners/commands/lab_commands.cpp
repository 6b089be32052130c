// Entry points of the commands later issues build; until then each says so and exits 3.
#include "commands/lab_commands.hpp"

#include "util/error.hpp"

namespace labctl::commands {

int run_up(const GlobalOptions&, const UpOptions&, std::ostream&) { throw NotImplemented("labctl up"); }
int run_down(const GlobalOptions&, const DownOptions&, std::ostream&) { throw NotImplemented("labctl down"); }
int run_status(const GlobalOptions&, const StatusOptions&, std::ostream&) { throw NotImplemented("labctl status"); }
int run_kill(const GlobalOptions&, const KillOptions&, std::ostream&) { throw NotImplemented("labctl kill"); }
int run_revive(const GlobalOptions&, const KillOptions&, std::ostream&) { throw NotImplemented("labctl revive"); }
int run_verify(const GlobalOptions&, const VerifyOptions&, std::ostream&) { throw NotImplemented("labctl verify"); }
int run_ssh(const GlobalOptions&, const SshOptions&) { throw NotImplemented("labctl ssh"); }
// run_image: commands/image.cpp
int run_export(const GlobalOptions&, const ExportOptions&, std::ostream&) { throw NotImplemented("labctl export vagrant"); }

}  // namespace labctl::commands

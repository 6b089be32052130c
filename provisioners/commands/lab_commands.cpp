// Entry points of the commands later issues build; until then each says so and exits 3.
// up / down / status live in up.cpp, down.cpp and status.cpp.
#include "commands/lab_commands.hpp"

#include "util/error.hpp"

namespace labctl::commands {

int run_image(const GlobalOptions&, const ImageOptions& options, std::ostream&) {
    throw NotImplemented("labctl image " + options.action);
}

}  // namespace labctl::commands

#include "commands/ca.hpp"
#include "commands/lab_loading.hpp"

#include "labfile/loader.hpp"
#include "services/registry.hpp"
#include "store/lab_ca.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"

namespace labctl::commands {

int run_ca(const GlobalOptions& global, const CaOptions&, std::ostream& out) {
    auto lab = load_lab(global);
    bool uses_ca = false;
    for (const auto& service : lab.services)
        uses_ca |= services::kind_of(service).uses_lab_ca(service);
    if (!uses_ca)
        throw InputError("lab `" + lab.lab.name + "` has no CA: no service sets `tls = true`");
    auto path = store::lab_ca_cert_path(store::lab_state_dir(lab.lab.name));
    if (!std::filesystem::exists(path))
        throw InputError("lab `" + lab.lab.name + "` has no CA yet: `labctl up` creates it (" +
                         path.string() + ")");
    out << path.string() << "\n";
    return 0;
}

}  // namespace labctl::commands

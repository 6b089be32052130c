#include <cstdlib>

#include "commands/lab_commands.hpp"
#include "commands/lab_loading.hpp"
#include "render/template_set.hpp"
#include "util/error.hpp"
#include "vagrant/vagrant_export.hpp"

namespace labctl::commands {

int run_export(const GlobalOptions& global, const ExportOptions& options, std::ostream& out) {
    if (options.format != "vagrant")
        throw InputError("unknown export format `" + options.format + "` (known: vagrant)");
    auto lab = load_lab(global);
    const char* templates_dir = std::getenv("LABCTL_TEMPLATES");
    render::TemplateSet templates(templates_dir ? templates_dir : "");
    auto result = vagrant::export_vagrant(lab, templates, options.out_dir, options.box);
    for (const auto& path : result.written) out << "wrote " << path.string() << "\n";
    out << "next: cd " << options.out_dir
        << " && vagrant up   (or vagrant up --provider=libvirt)\n";
    return 0;
}

}  // namespace labctl::commands

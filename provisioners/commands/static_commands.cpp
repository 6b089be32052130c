#include "commands/static_commands.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

#include "commands/lab_loading.hpp"
#include "graph/graph.hpp"
#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "services/registry.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace labctl::commands {

namespace {

std::string templates_dir(const RenderOptions& options) {
    if (!options.templates_dir.empty()) return options.templates_dir;
    const char* env = std::getenv("LABCTL_TEMPLATES");
    return env ? env : "";
}

}  // namespace

int run_validate(const GlobalOptions& global, const ValidateOptions& options, std::ostream& out,
                 std::ostream& err) {
    auto result = labfile::load_lab_file(global.file);
    if (options.json) {
        nlohmann::json report{{"file", global.file},
                              {"ok", result.lab.has_value()},
                              {"errors", nlohmann::json::array()}};
        for (const auto& item : result.diagnostics.items())
            report["errors"].push_back(
                {{"line", item.pos.line}, {"column", item.pos.col}, {"message", item.message}});
        out << report.dump(2) << "\n";
        return result.lab ? 0 : 2;
    }
    if (!result.lab) {
        err << result.diagnostics.format();
        err << result.diagnostics.size() << (result.diagnostics.size() == 1 ? " error" : " errors")
            << " in " << global.file << "\n";
        return 2;
    }
    // With --student: the student's copy must be derivable too (id, pool), exit 2 otherwise.
    const auto& lab = global.student.empty() ? *result.lab : load_lab(global);
    std::size_t instances = 0;
    for (const auto& service : lab.services) instances += lab.instances(service).size();
    out << global.file << ": ok: lab " << lab.lab.name << ", " << lab.networks.size() << " network"
        << (lab.networks.size() == 1 ? "" : "s") << ", " << lab.nodes.size() << " node"
        << (lab.nodes.size() == 1 ? "" : "s") << ", " << lab.services.size() << " service"
        << (lab.services.size() == 1 ? "" : "s") << " (" << instances << " instance"
        << (instances == 1 ? "" : "s") << ")\n";
    // Warnings: things that are valid but will fail at `up` time.
    for (const auto& service : lab.services) {
        for (const auto& upload : services::kind_of(service).uploads(service)) {
            auto source = std::filesystem::path(lab.base_dir) / upload.local;
            if (!std::filesystem::exists(source))
                err << global.file << ":" << upload.pos.line << ":" << upload.pos.col
                    << ": warning: upload source " << source.string() << " does not exist (yet)\n";
        }
    }
    return 0;
}

int run_render(const GlobalOptions& global, const RenderOptions& options, std::ostream& out) {
    auto lab = load_lab(global);
    render::TemplateSet templates(templates_dir(options));
    labfile::RenderSelection selection;
    selection.only = options.services;
    auto files = labfile::render_lab(lab, templates, selection);
    if (options.out_dir.empty()) {
        for (const auto& file : files) {
            out << "# ==> " << file.node << ":" << file.path;
            if (!file.service.empty()) out << " (service " << file.service << ")";
            out << " <==\n" << file.content;
            if (!file.content.empty() && file.content.back() != '\n') out << "\n";
            out << "\n";
        }
        return 0;
    }
    for (const auto& file : files) {
        // DIR/NODE/PATH, PATH being the file's absolute path on the node.
        auto target = std::filesystem::path(options.out_dir) / file.node / file.path.substr(1);
        util::make_dirs(target.parent_path());
        util::write_file_atomic(target, file.content, file.mode);
        out << "wrote " << target.string() << "\n";
    }
    return 0;
}

int run_graph(const GlobalOptions& global, const GraphOptions& options, std::ostream& out) {
    auto lab = load_lab(global);
    auto format = graph::parse_format(options.format);
    if (!format)
        throw InputError("unknown graph format `" + options.format +
                         "` (known: dot, mermaid, svg)");
    auto text = graph::render_graph(lab, *format);
    if (options.out_file.empty())
        out << text;
    else
        util::write_file_atomic(options.out_file, text);
    return 0;
}

}  // namespace labctl::commands

#include "labfile/render_lab.hpp"

#include <algorithm>

#include "render/node_files.hpp"
#include "render/node_seed.hpp"
#include "services/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::labfile {

using render::GeneratedFile;
using render::NodeIdentity;
using render::TemplateSet;

namespace {

bool selected(const std::vector<std::string>& only, const topo::Service& service) {
    if (only.empty()) return true;
    return std::find(only.begin(), only.end(), service.name) != only.end() ||
           std::find(only.begin(), only.end(), service.type_name()) != only.end();
}

void check_selection(const topo::Lab& lab, const std::vector<std::string>& only) {
    for (const auto& name : only) {
        if (name == "seed" || name == "cloud-init" || lab.service(name) ||
            services::find_kind(name))
            continue;
        std::vector<std::string> names{"seed"};
        for (const auto& service : lab.services) names.push_back(service.name);
        for (const auto& kind : services::kind_names()) names.push_back(kind);
        auto hint = util::closest_match(name, names);
        throw InputError(
            "unknown service `" + name + "` (services: " +
            util::join(std::vector<std::string>(names.begin() + 1, names.end()), ", ") +
            "; or seed, alias cloud-init)" +
            (hint.empty() ? "" : "; did you mean `" + hint + "`?"));
    }
}

}  // namespace

std::vector<GeneratedFile> render_lab(const topo::Lab& lab, const TemplateSet& templates,
                                      const RenderSelection& selection) {
    check_selection(lab, selection.only);
    std::vector<GeneratedFile> files;
    for (const auto* service : lab.dependency_order()) {
        if (!selected(selection.only, *service)) continue;
        auto rendered = services::kind_of(*service).render(lab, *service, templates);
        files.insert(files.end(), rendered.begin(), rendered.end());
    }
    auto named = [&](const char* name) {
        return std::find(selection.only.begin(), selection.only.end(), name) !=
               selection.only.end();
    };
    bool want_seed = selection.only.empty() || named("seed") || named("cloud-init");
    if (want_seed) {
        for (const auto& node : lab.nodes) {
            NodeIdentity identity;
            if (selection.identities) {
                auto it = selection.identities->find(node.name);
                if (it != selection.identities->end()) identity = it->second;
            }
            // What `up` gives the node: cloud-init NoCloud files on a user's cloud image,
            // labctl's seed tree on a labctl base image.
            auto seed = node.uses_cloud_image()
                            ? render::render_cloud_init(lab, node, templates, identity)
                            : render::render_labctl_seed(lab, node, templates, identity);
            files.insert(files.end(), seed.begin(), seed.end());
        }
    }
    return files;
}

}  // namespace labctl::labfile

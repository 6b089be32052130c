// Renders every file labctl generates for a lab: each service type's files plus each node's
// seed, as `up` uses it: cloud-init NoCloud files for a node on a user's cloud image
// (render/node_files.hpp), labctl's seed tree (render/node_seed.hpp) for a node on a labctl
// base image.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "render/generated_file.hpp"
#include "render/node_files.hpp"
#include "render/template_set.hpp"
#include "topology/model.hpp"

namespace labctl::labfile {

struct RenderSelection {
    // Service names or service types ("nginx") or "seed" (alias "cloud-init": every node's
    // seed, whichever kind); empty selects everything.
    std::vector<std::string> only;
    const std::map<std::string, render::NodeIdentity>* identities = nullptr;
};

// Throws InputError when a selected name is neither a service, a type nor "cloud-init".
std::vector<render::GeneratedFile> render_lab(const topo::Lab& lab,
                                              const render::TemplateSet& templates,
                                              const RenderSelection& selection = {});

}  // namespace labctl::labfile

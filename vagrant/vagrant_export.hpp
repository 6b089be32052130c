// `labctl export vagrant`: a Vagrantfile with the same machines, networks and provisioning
// as `labctl up`, for VirtualBox (or vagrant-libvirt) users. The provisioning reuses the
// files labctl renders, so both tools build the same lab.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "render/template_set.hpp"
#include "topology/model.hpp"

namespace labctl::vagrant {

struct ExportResult {
    std::vector<std::filesystem::path> written;
};

// Writes OUT_DIR/Vagrantfile, OUT_DIR/provision/NODE.sh, OUT_DIR/files/NODE/... (rendered
// files and uploads at their absolute paths) and OUT_DIR/secrets.env (0600, generated once
// and kept on re-export).
ExportResult export_vagrant(const topo::Lab& lab, const render::TemplateSet& templates,
                            const std::filesystem::path& out_dir,
                            const std::string& box = "debian/bookworm64");

}  // namespace labctl::vagrant

// A file labctl generates for a node: where it goes and what it holds.
#pragma once

#include <string>

namespace labctl::render {

struct GeneratedFile {
    std::string node;
    std::string path;  // absolute path on the node
    std::string content;
    unsigned mode = 0644;
    std::string service;  // the service it belongs to; empty for node-level files
};

}  // namespace labctl::render

// Generated at build time from templates/ by cmake/embed_templates.cmake.
#pragma once

#include <map>
#include <string>

namespace labctl::render {
const std::map<std::string, std::string>& embedded_templates();
}

// The Mustache templates of every generated file. Defaults are compiled into labctl from
// templates/ (so render works from any directory); a user directory given with --templates
// or $LABCTL_TEMPLATES overrides them file by file.
#pragma once

#include <kainjow/mustache.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace labctl::render {

using Data = kainjow::mustache::data;

enum class Escape { none, xml };

class TemplateSet {
  public:
    // OVERRIDE_DIR may be empty.
    explicit TemplateSet(std::filesystem::path override_dir = {});

    // NAME is relative to templates/, e.g. "nginx/balancer.conf.mustache".
    std::string render(const std::string& name, const Data& data,
                       Escape escape = Escape::none) const;
    std::string source(const std::string& name) const;
    std::vector<std::string> names() const;

  private:
    std::filesystem::path override_dir_;
};

// Helpers to build Mustache data from plain values.
Data list_data();
Data object_data();

}  // namespace labctl::render

#include "render/template_set.hpp"

#include "render/embedded_templates.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace labctl::render {

TemplateSet::TemplateSet(std::filesystem::path override_dir)
    : override_dir_(std::move(override_dir)) {
    if (!override_dir_.empty() && !std::filesystem::is_directory(override_dir_))
        throw InputError("templates directory " + override_dir_.string() + " does not exist");
}

std::string TemplateSet::source(const std::string& name) const {
    if (!override_dir_.empty()) {
        auto path = override_dir_ / name;
        if (std::filesystem::is_regular_file(path)) return util::read_file(path);
    }
    const auto& builtin = embedded_templates();
    auto it = builtin.find(name);
    if (it == builtin.end()) throw InfraError("no template named " + name);
    return it->second;
}

std::vector<std::string> TemplateSet::names() const {
    std::vector<std::string> out;
    for (const auto& [name, text] : embedded_templates()) out.push_back(name);
    return out;
}

std::string TemplateSet::render(const std::string& name, const Data& data, Escape escape) const {
    kainjow::mustache::mustache tmpl{source(name)};
    if (!tmpl.is_valid()) throw InputError("template " + name + ": " + tmpl.error_message());
    // Values are validated and typed before they get here; the only escaping a file format
    // needs beyond that is XML's.
    if (escape == Escape::xml)
        tmpl.set_custom_escape([](const std::string& text) { return util::xml_escape(text); });
    else
        tmpl.set_custom_escape([](const std::string& text) { return text; });
    auto text = tmpl.render(data);
    if (!tmpl.is_valid()) throw InputError("template " + name + ": " + tmpl.error_message());
    // kainjow/mustache keeps the lines of standalone section tags; drop what they leave.
    return util::collapse_blank_lines(text);
}

Data list_data() {
    return Data{Data::type::list};
}
Data object_data() {
    return Data{Data::type::object};
}

}  // namespace labctl::render

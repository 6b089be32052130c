#include "kinds/common.hpp"

#include <algorithm>
#include <charconv>

namespace labctl::kinds {

std::optional<topo::Duration> read_duration(topo::TomlReader& reader, std::string_view key, bool whole_seconds) {
    auto node = reader.get(key);
    if (!node) return std::nullopt;
    if (node->is_integer()) {
        auto seconds = node->as_integer()->get();
        if (seconds < 0 || seconds > 86400) {
            reader.diagnostics().error(topo::pos_of(*node), std::string("`").append(key) + "` must be 0..86400 seconds");
            return std::nullopt;
        }
        return topo::Duration{std::to_string(seconds) + "s", static_cast<double>(seconds)};
    }
    if (!node->is_string()) {
        reader.wrong_type(key, *node, "a duration such as \"5s\" or \"500ms\"");
        return std::nullopt;
    }
    const std::string& text = node->as_string()->get();
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    std::string unit = text.substr(digits);
    double scale = unit == "ms" ? 0.001 : unit == "s" || unit.empty() ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : -1;
    long value = 0;
    bool number_ok = digits > 0 && digits <= 6 &&
                     std::from_chars(text.data(), text.data() + digits, value).ec == std::errc{};
    if (scale < 0 || !number_ok) {
        reader.diagnostics().error(topo::pos_of(*node), std::string("`").append(key) + "` = \"" + text +
                                                            "\" is not a duration (use e.g. \"5s\", \"500ms\", \"1m\")");
        return std::nullopt;
    }
    if (whole_seconds && unit == "ms") {
        reader.diagnostics().error(topo::pos_of(*node), std::string("`").append(key) + "` = \"" + text +
                                                            "\": nginx counts it in whole seconds (use e.g. \"1s\")");
        return std::nullopt;
    }
    return topo::Duration{std::to_string(value) + (unit.empty() ? "s" : unit), value * scale};
}

bool is_printable_line(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u != 0x7f;
    });
}

bool is_safe_absolute_path(std::string_view path) {
    if (path.size() < 2 || path[0] != '/') return false;
    if (!std::all_of(path.begin(), path.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '/' || c == '-';
        }))
        return false;
    return path.find("/../") == std::string_view::npos && !path.ends_with("/..") && path.find("//") == std::string_view::npos;
}

bool is_safe_url_path(std::string_view path) {
    if (path.empty() || path[0] != '/') return false;
    return std::all_of(path.begin(), path.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("/-._~%!&'()*+,=:@?").find(c) != std::string_view::npos;
    });
}

bool is_env_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

render::Data header_data(const topo::Lab& lab, const topo::Service& service, const topo::Node& node) {
    render::Data data = render::object_data();
    data.set("lab", lab.lab.name);
    data.set("service", service.name);
    data.set("service_id", identifier(service.name));
    data.set("node", node.name);
    data.set("generator", "labctl");
    return data;
}

std::string identifier(std::string_view name) {
    std::string out(name);
    std::replace(out.begin(), out.end(), '-', '_');
    return out;
}

}  // namespace labctl::kinds

#include "engine/stopped_nodes.hpp"

#include <nlohmann/json.hpp>

#include "util/files.hpp"

namespace labctl::engine {

namespace {
std::filesystem::path stopped_path(const std::filesystem::path& state_dir) {
    return state_dir / "stopped.json";
}
}  // namespace

std::set<std::string> load_stopped_nodes(const std::filesystem::path& state_dir) {
    auto path = stopped_path(state_dir);
    if (!std::filesystem::exists(path)) return {};
    auto json = nlohmann::json::parse(util::read_file(path), nullptr, false);
    std::set<std::string> nodes;
    if (json.is_object() && json["stopped_by_user"].is_array())
        for (const auto& node : json["stopped_by_user"])
            if (node.is_string()) nodes.insert(node.get<std::string>());
    return nodes;
}

void save_stopped_nodes(const std::filesystem::path& state_dir,
                        const std::set<std::string>& nodes) {
    auto path = stopped_path(state_dir);
    if (nodes.empty()) {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        return;
    }
    nlohmann::json json = {{"stopped_by_user", nodes}};
    util::write_file_atomic(path, json.dump(2) + "\n", 0600);
}

}  // namespace labctl::engine

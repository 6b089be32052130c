// The nodes the user stopped (`labctl stop`), kept in the lab's state directory so `up` does
// not start them behind the user's back: `up` says so and leaves them; `start` or
// `up --only NODE` starts one and forgets it here.
#pragma once

#include <filesystem>
#include <set>
#include <string>

namespace labctl::engine {

std::set<std::string> load_stopped_nodes(const std::filesystem::path& state_dir);
// Atomic (temp + rename), 0600; an empty set removes the file.
void save_stopped_nodes(const std::filesystem::path& state_dir, const std::set<std::string>& nodes);

}  // namespace labctl::engine

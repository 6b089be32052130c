// `labctl exec TARGETS... -- CMD...`: one command on many nodes at once, each over its own
// SSH session (the lab's key, pinned host keys, as `labctl ssh`), at most --jobs at a time.
// Output is collected and printed grouped per node in the lab file's order, so lines of
// different nodes never interleave. The exit code is the worst node's: the highest exit
// status, 255 for a node that could not be reached (as ssh(1) does).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

#include "commands/lab_loading.hpp"
#include "commands/lifecycle_commands.hpp"
#include "commands/node_targets.hpp"
#include "labfile/loader.hpp"
#include "remote/lab_ssh.hpp"
#include "remote/session.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

namespace labctl::commands {

namespace {

constexpr int kUnreachable = 255;

struct NodeResult {
    std::string node;
    int exit_code = kUnreachable;
    std::string out;
    std::string err;
};

void print_group(const NodeResult& result, std::ostream& out) {
    out << "=== " << result.node << " (exit " << result.exit_code << ") ===\n" << result.out;
    if (!result.out.empty() && result.out.back() != '\n') out << "\n";
    if (!result.err.empty()) {
        out << "--- " << result.node << " stderr ---\n" << result.err;
        if (result.err.back() != '\n') out << "\n";
    }
}

}  // namespace

int run_exec(const GlobalOptions& global, const ExecOptions& options, std::ostream& out) {
    if (options.command.empty()) throw InputError("no command: labctl exec TARGETS... -- CMD...");
    auto lab = load_lab(global);
    auto nodes = resolve_node_targets(lab, options.targets);  // bad targets: exit 2, first
    auto lab_ssh = remote::open_lab_ssh(store::lab_state_dir(lab.lab.name));
    std::string command_line = util::join(options.command, " ");

    std::vector<NodeResult> results(nodes.size());
    auto width = util::jobs_or(options.jobs, nodes.size());
    util::parallel_for(nodes.size(), width, [&](std::size_t k) {
        const topo::Node& node = *nodes[k];
        auto& result = results[k];
        result.node = node.name;
        try {
            auto connect = remote::connect_options(lab_ssh, node);
            // The nodes should be up: wait a little for a rebooting guest, not minutes.
            connect.deadline = std::chrono::seconds(20);
            auto session = remote::Session::connect(connect);
            remote::RunOptions run;
            run.timeout = std::chrono::milliseconds(0);  // the user decides how long it runs
            run.step = "exec";
            auto ran = session.run_command_line(command_line, run);
            result.exit_code = ran.exit_code < 0 ? kUnreachable : ran.exit_code;
            result.out = std::move(ran.out);
            result.err = std::move(ran.err);
        } catch (const InterruptedError&) {
            throw;
        } catch (const std::exception& error) {
            result.exit_code = kUnreachable;
            result.err = std::string("labctl: ") + error.what() + "\n";
        }
    });

    int worst = 0;
    for (const auto& result : results) worst = std::max(worst, result.exit_code);
    if (options.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& result : results)
            list.push_back({{"node", result.node},
                            {"exit_code", result.exit_code},
                            {"stdout", result.out},
                            {"stderr", result.err}});
        out << list.dump() << "\n";
    } else {
        for (const auto& result : results) print_group(result, out);
    }
    return worst;
}

}  // namespace labctl::commands

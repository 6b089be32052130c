// `labctl ssh NODE [-- CMD...]`: a shell or a command on a node, with the lab's key and the
// lab's pinned host keys only. Like ssh(1), CMD's words are joined with spaces and read by
// the remote shell, stdin is forwarded, and the remote exit code becomes ours.
#include <unistd.h>

#include <chrono>
#include <string_view>

#include "commands/lab_commands.hpp"
#include "commands/lab_loading.hpp"
#include "remote/lab_ssh.hpp"
#include "remote/session.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::commands {

namespace {

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        auto n = ::write(fd, data.data(), data.size());
        if (n <= 0) return;  // our stdout was closed: keep draining the remote side
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

int run_ssh(const GlobalOptions& global, const SshOptions& options) {
    auto lab = load_lab(global);
    const topo::Node* node = lab.node(options.node);
    if (!node) {
        std::vector<std::string> names;
        for (const auto& n : lab.nodes) names.push_back(n.name);
        auto hint = util::closest_match(options.node, names);
        throw InputError("unknown node `" + options.node + "`" +
                         (hint.empty() ? "" : " (did you mean `" + hint + "`?)"));
    }
    auto lab_ssh = remote::open_lab_ssh(store::lab_state_dir(lab.lab.name));
    auto connect = remote::connect_options(lab_ssh, *node);
    // The node should already be up: wait a little for a rebooting guest, not minutes.
    connect.deadline = std::chrono::seconds(20);
    auto session = remote::Session::connect(connect);
    if (options.command.empty()) return session.shell();

    remote::RunOptions run;
    run.timeout = std::chrono::milliseconds(0);  // the user decides how long it runs
    run.forward_fd = STDIN_FILENO;
    run.keep_output = false;
    run.step = "ssh exec";
    run.on_stdout = [](std::string_view data) { write_all(STDOUT_FILENO, data); };
    run.on_stderr = [](std::string_view data) { write_all(STDERR_FILENO, data); };
    auto result = session.run_command_line(util::join(options.command, " "), run);
    if (result.exit_code < 0) {
        throw InfraError("the remote command ended without an exit status", node->name, "ssh exec");
    }
    return result.exit_code;
}

}  // namespace labctl::commands

#include "services/nfs/nfs_checks.hpp"

#include "services/nfs/nfs_settings.hpp"
#include "services/replication_checks.hpp"
#include "services/role_support.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace labctl::services {

std::vector<CheckResult> nfs_shared_file_checks(CheckContext& context,
                                                const topo::Service& service) {
    const auto& settings = nfs_settings(service);
    if (settings.clients.empty()) return {};
    auto file = ".labctl-verify-" + util::random_token(8);
    auto value = util::random_token(16);
    const auto& writer = settings.clients.front();
    std::vector<topo::Located<std::string>> readers(settings.clients.begin() + 1,
                                                    settings.clients.end());
    // One client alone: the server's export is where its file must land.
    bool on_server = readers.empty();
    if (on_server) readers.push_back(settings.server);
    auto read_dir = on_server ? settings.export_path.value : settings.mount_path.value;

    ReplicationProbe probe;
    probe.what = "file";
    probe.write = [&](remote::Session& session) -> std::string {
        auto written = session.run({"sh", "-c", "printf '%s' \"$2\" > \"$1\"", "sh",
                                    settings.mount_path.value + "/" + file, value},
                                   sudo_step("verify nfs"));
        return written.exit_code == 0 ? "" : "write through the mount: " + util::trim(written.err);
    };
    probe.read = [&](remote::Session& session) -> std::string {
        auto read = session.run({"cat", "--", read_dir + "/" + file}, sudo_step("verify nfs"));
        if (read.exit_code != 0) return "not there yet: " + util::trim(read.err);
        return read.out == value ? "" : "different content: " + util::trim(read.out);
    };
    auto results = replication_checks(context, service, writer, readers, probe);
    try {
        context.ssh.get(writer.value)
            .run({"rm", "-f", "--", settings.mount_path.value + "/" + file},
                 sudo_step("verify nfs"));
    } catch (const std::exception&) {
        // Best effort: a dot file with a random name in the share.
    }
    return results;
}

}  // namespace labctl::services

#include "services/nginx/nginx_role.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "remote/install.hpp"
#include "services/file_install.hpp"
#include "services/nginx/nginx_tls.hpp"
#include "services/role_support.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to,
                        int& count) {
    count = 0;
    for (auto pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
        ++count;
    }
    return text;
}

// `sh -c SCRIPT sh LIVE TEST STAGED...`: a copy of the live directory (without the pipeline's
// staging directory) with the staged files over it, so nginx -t sees what the directory will
// hold after the move.
constexpr const char* kTestTreeScript = R"(set -e
live="$1"; test="$2"; shift 2
mkdir -p -- "$test"
if [ -d "$live" ]; then cp -a -- "$live/." "$test/"; rm -rf -- "$test/.labctl-staging"; fi
for f; do cp -a -- "$f" "$test/"; done)";

// Runs ARGV as root; "" when it succeeded, else its stderr.
std::string failure_of(remote::Session& session, const std::vector<std::string>& argv,
                       const std::string& step) {
    auto result = session.run(argv, sudo_step(step));
    if (result.exit_code == 0) return "";
    auto why = util::trim(result.err);
    return why.empty() ? "`" + util::join(argv, " ") + "` failed" : why;
}

// nginx -t on a main config identical to the live one except that it reads test copies of
// the directories holding the staged files, beside nginx.conf so relative includes resolve.
Validator nginx_validator(const NginxRoleSettings& settings) {
    auto check = [settings](remote::Session& session,
                            const std::vector<StagedFile>& files) -> std::string {
        auto main_dir = parent_of(settings.main_conf);
        auto test_root = main_dir + "/.labctl-test";
        auto test_conf = main_dir + "/.labctl-test.conf";
        struct Cleanup {
            remote::Session& session;
            std::vector<std::string> argv;
            ~Cleanup() {
                try {
                    session.run(argv, sudo_step("validate"));
                } catch (const std::exception& error) {
                    spdlog::warn("nginx: removing the test config failed: {}", error.what());
                }
            }
        } cleanup{session, {"rm", "-rf", "--", test_root, test_conf}};
        session.check({"rm", "-rf", "--", test_root}, sudo_step("validate"));

        std::map<std::string, std::vector<std::string>> by_dir;
        for (const auto& file : files) by_dir[parent_of(file.file->path)].push_back(file.staged);
        auto test_text =
            session.check({"cat", "--", settings.main_conf}, sudo_step("validate")).out;
        int index = 0;
        for (const auto& [dir, staged] : by_dir) {
            auto test_dir = test_root + "/" + std::to_string(index++);
            int count = 0;
            test_text = replace_all(test_text, dir + "/", test_dir + "/", count);
            if (count == 0)
                return settings.main_conf + " does not include " + dir +
                       ": nginx would never read the new file";
            std::vector<std::string> argv{"sh", "-c", kTestTreeScript, "sh", dir, test_dir};
            argv.insert(argv.end(), staged.begin(), staged.end());
            session.check(argv, sudo_step("validate"));
        }
        remote::write_root_files(session, {{test_text, test_conf, {}}}, "validate");
        auto argv = settings.nginx;
        argv.insert(argv.end(), {"-t", "-c", test_conf});
        return failure_of(session, argv, "validate");
    };
    return {"nginx -t", {}, std::move(check)};
}

}  // namespace

NginxRoleSettings systemd_nginx_settings() {
    NginxRoleSettings settings;
    settings.reload = {"systemctl", "reload-or-restart", "nginx"};
    settings.prepare = {"sh", "-c",
                        "rm -f /etc/nginx/sites-enabled/default && systemctl enable --quiet nginx"};
    settings.is_running = {"systemctl", "is-active", "--quiet", "nginx"};
    settings.start = {"systemctl", "start", "nginx"};
    return settings;
}

RoleReport NginxRole::apply(const RoleTarget& target) {
    auto& session = target.session;
    RoleReport report{target.node.name, target.service.name, {}};
    if (!settings_.prepare.empty()) session.check(settings_.prepare, sudo_step("prepare"));
    // The certificate first: the validator's nginx -t opens it. A new one alone needs a reload.
    bool tls_changed = install_nginx_tls(target);

    ConfigChange change;
    change.files = config_files(target.files);
    change.reload_anyway = tls_changed;
    change.validators = {nginx_validator(settings_)};
    change.control.reload = [&] {
        auto why = failure_of(session, settings_.reload, "reload");
        if (!why.empty()) throw InfraError(why, target.node.name, "reload");
    };
    change.control.start = [&] {
        if (settings_.start.empty() || (!settings_.is_running.empty() &&
                                        failure_of(session, settings_.is_running, "start").empty()))
            return false;
        session.check(settings_.start, sudo_step("start"));
        return true;
    };
    change.control.probe = [&] {
        auto argv = settings_.nginx;
        argv.insert(argv.end(), {"-t", "-c", settings_.main_conf});
        auto why = failure_of(session, argv, "probe");
        if (!why.empty())
            throw InfraError("nginx -t on the live config: " + why, target.node.name, "probe");
    };
    apply_config(target, change, report);
    return report;
}

}  // namespace labctl::services

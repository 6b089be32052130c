#include "services/nginx/nginx_role.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <set>

#include "remote/transfer.hpp"
#include "services/nginx/nginx_settings.hpp"
#include "services/nginx/nginx_tls.hpp"
#include "services/role_support.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}
std::string base_of(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
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

// Shell snippets run as `sh -c SCRIPT sh ARGS...`: the script is constant text, every
// variable part is an argument, so nothing is spliced into a command line.
// Copies a directory's current files, then the new files, into a staging directory.
constexpr const char* kPrepareScript = R"(set -e
live="$1"; staged="$2"; shift 2
mkdir -p "$staged"
if [ -d "$live" ]; then cp -a "$live/." "$staged/"; fi
while [ $# -gt 0 ]; do cp "$1" "$staged/$2"; chmod "$3" "$staged/$2"; shift 3; done)";
// Keeps the previous file (or notes its absence), then renames the staged file over it.
constexpr const char* kMoveScript = R"(set -e
staged="$1"; target="$2"; backup="$3"
if [ -e "$target" ]; then cp -a "$target" "$backup"; else : > "$backup.absent"; fi
mv -f -T "$staged" "$target")";
constexpr const char* kRestoreScript = R"(target="$1"; backup="$2"
if [ -e "$backup.absent" ]; then rm -f "$target"; elif [ -e "$backup" ]; then mv -f -T "$backup" "$target"; fi)";

struct Work {
    const render::GeneratedFile* file;
    std::string staged;  // its copy in the staging tree
    std::string backup;  // where the live file is kept while the new one is tried
    bool moved = false;
};

}  // namespace

NginxRoleSettings systemd_nginx_settings() {
    NginxRoleSettings settings;
    settings.reload = {"systemctl", "reload-or-restart", "nginx"};
    settings.prepare = {"sh", "-c",
                        "rm -f /etc/nginx/sites-enabled/default && systemctl enable --quiet nginx"};
    settings.ensure_running = {"sh", "-c",
                               "systemctl is-active --quiet nginx || systemctl start nginx"};
    return settings;
}

RoleReport NginxRole::apply(const RoleTarget& target) {
    auto& session = target.session;
    RoleReport report{target.node.name, target.service.name, {}};
    auto sudo_options = [](const std::string& step) {
        remote::RunOptions options;
        options.sudo = true;
        options.step = step;
        return options;
    };
    auto script = [&](const char* text, std::vector<std::string> args, const std::string& step) {
        std::vector<std::string> argv{"sh", "-c", text, "sh"};
        argv.insert(argv.end(), args.begin(), args.end());
        return session.check(argv, sudo_options(step));
    };
    auto fail = [&](const std::string& step, const std::string& message) -> InfraError {
        return InfraError(message, target.node.name, step);
    };

    if (!settings_.prepare.empty()) session.check(settings_.prepare, sudo_options("prepare"));
    // The certificate first: nginx -t below opens it.
    bool tls_changed = install_nginx_tls(target);

    // compare: sha256 and mode of every live file against the rendered content.
    StepTimer compare(report, "compare");
    std::vector<std::string> paths;
    for (const auto& file : target.files) paths.push_back(file.path);
    auto hashes = remote::remote_sha256(session, paths, true);
    std::vector<Work> work;
    for (const auto& file : target.files) {
        auto it = hashes.find(file.path);
        bool same = it != hashes.end() && it->second == remote::sha256_hex(file.content) &&
                    remote::remote_mode(session, file.path) == (file.mode & 07777);
        if (!same) work.push_back({&file, {}, {}});
    }
    if (work.empty() && !tls_changed) {
        compare.done(Outcome::ok);
        if (!settings_.ensure_running.empty())
            session.check(settings_.ensure_running, sudo_options("start"));
        return report;
    }
    if (work.empty()) {
        // Only the certificate changed: the live config reads it on reload.
        compare.done(Outcome::changed, "certificate changed");
        StepTimer reload(report, "reload");
        if (!settings_.ensure_running.empty())
            session.check(settings_.ensure_running, sudo_options("start"));
        session.check(settings_.reload, sudo_options("reload"));
        reload.done(Outcome::changed);
        return report;
    }
    compare.done(Outcome::changed, std::to_string(work.size()) + " file(s) differ");

    // stage: upload as the login user to a private temporary directory, then copy (as root)
    // into a staging tree next to nginx's own config, so the final rename stays on one
    // filesystem.
    StepTimer stage(report, "stage");
    auto main_dir = parent_of(settings_.main_conf);
    auto staging = main_dir + "/.labctl-staging";
    auto test_conf =
        main_dir + "/.labctl-test.conf";  // beside nginx.conf: relative includes still resolve
    auto upload_dir = util::trim(session.check({"mktemp", "-d", "/tmp/labctl-stage.XXXXXX"}).out);
    struct Cleanup {
        std::function<void()> run;
        ~Cleanup() {
            try {
                run();
            } catch (const std::exception& error) {
                spdlog::warn("nginx: cleanup failed: {}", error.what());
            }
        }
    } cleanup{[&] {
        session.run({"rm", "-rf", "--", staging, test_conf, upload_dir}, sudo_options("cleanup"));
    }};
    session.check({"rm", "-rf", "--", staging}, sudo_options("stage"));

    auto main_text = session.check({"cat", "--", settings_.main_conf}, sudo_options("stage")).out;
    std::string test_text = main_text;
    std::map<std::string, std::vector<Work*>> by_dir;
    for (auto& item : work) by_dir[parent_of(item.file->path)].push_back(&item);
    int index = 0;
    for (auto& [dir, items] : by_dir) {
        auto staged_dir = staging + "/" + std::to_string(index++);
        int count = 0;
        test_text = replace_all(test_text, dir + "/", staged_dir + "/", count);
        if (count == 0) {
            throw fail("validate", settings_.main_conf + " does not include " + dir +
                                       ": nginx would never read the new file");
        }
        std::vector<std::string> args{dir, staged_dir};
        for (auto* item : items) {
            auto uploaded =
                upload_dir + "/" + std::to_string(index) + "-" + base_of(item->file->path);
            remote::upload(session, item->file->content, uploaded, 0600);
            char mode[8];
            std::snprintf(mode, sizeof mode, "%o", item->file->mode & 07777);
            args.insert(args.end(), {uploaded, base_of(item->file->path), mode});
            item->staged = staged_dir + "/" + base_of(item->file->path);
            item->backup =
                staging + "/previous-" + std::to_string(index) + "-" + base_of(item->file->path);
        }
        script(kPrepareScript, args, "stage");
    }
    remote::upload(session, test_text, upload_dir + "/test.conf", 0600);
    session.check({"cp", "--", upload_dir + "/test.conf", test_conf}, sudo_options("stage"));
    stage.done(Outcome::changed);

    // validate: nginx -t on a main config identical to the live one except that it reads
    // the staged directories: the live files are untouched if this fails.
    StepTimer validate(report, "validate");
    std::vector<std::string> test_argv = settings_.nginx;
    test_argv.insert(test_argv.end(), {"-t", "-c", test_conf});
    auto tested = session.run(test_argv, sudo_options("validate"));
    if (tested.exit_code != 0) {
        throw fail("validate", "nginx -t rejected the new config (the live config is unchanged): " +
                                   util::trim(tested.err));
    }
    validate.done(Outcome::ok);

    // From here on the live files change: put every moved file back on any failure.
    auto restore = [&](const std::string& step, const std::string& message) {
        for (auto it = work.rbegin(); it != work.rend(); ++it) {
            if (it->moved)
                session.run({"sh", "-c", kRestoreScript, "sh", it->file->path, it->backup},
                            sudo_options(step));
        }
        session.run(settings_.reload, sudo_options(step));
        return fail(step, message + " (previous config restored)");
    };

    StepTimer move(report, "move");
    for (auto& item : work) {
        try {
            script(kMoveScript, {item.staged, item.file->path, item.backup}, "move");
        } catch (const InfraError& error) {
            throw restore("move", error.what());
        }
        item.moved = true;
    }
    move.done(Outcome::changed);

    StepTimer reload(report, "reload");
    auto reloaded = session.run(settings_.reload, sudo_options("reload"));
    if (reloaded.exit_code != 0) {
        throw restore("reload", "`" + util::join(settings_.reload, " ") +
                                    "` failed: " + util::trim(reloaded.err));
    }
    reload.done(Outcome::changed);

    StepTimer verify(report, "verify");
    std::vector<std::string> live_argv = settings_.nginx;
    live_argv.insert(live_argv.end(), {"-t", "-c", settings_.main_conf});
    auto live = session.run(live_argv, sudo_options("verify"));
    if (live.exit_code != 0)
        throw restore("verify", "nginx -t failed on the live config: " + util::trim(live.err));
    verify.done(Outcome::ok);
    return report;
}

}  // namespace labctl::services

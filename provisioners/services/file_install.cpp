#include "services/file_install.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "remote/install.hpp"
#include "services/role_support.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

constexpr const char* kStagingDir = ".labctl-staging";

// Shell snippets run as `sh -c SCRIPT sh ARGS...`: the script is constant text, every
// variable part is an argument, so nothing is spliced into a command line.
// An empty private staging directory per argument (a leftover of an interrupted run goes).
constexpr const char* kStagingScript = R"(set -e
for d; do rm -rf -- "$d"; mkdir -m 0700 -- "$d"; done)";
// Per file: staged, target, backup. Keeps the live file (or notes its absence), then renames
// the staged copy over it.
constexpr const char* kMoveScript = R"(set -e
staged="$1"; target="$2"; backup="$3"
if [ -e "$target" ]; then cp -a -- "$target" "$backup"; else : > "$backup.absent"; fi
mv -f -T -- "$staged" "$target")";
// Per file: target, backup. Puts the kept file back, or removes a file that was new.
constexpr const char* kRestoreScript = R"(set -e
target="$1"; backup="$2"
if [ -e "$backup.absent" ]; then rm -f -- "$target"
elif [ -e "$backup" ]; then mv -f -T -- "$backup" "$target"; fi)";

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}
std::string base_of(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
}

// The last few lines of a tool's complaint: enough to say why, not a page of help text.
std::string tail_lines(const std::string& text, std::size_t count = 6) {
    auto lines = util::split(util::trim(text), '\n');
    if (lines.size() > count) lines.erase(lines.begin(), lines.end() - count);
    return util::join(lines, "\n");
}

struct Work {
    const ConfigFile* file;
    std::string staged;  // its copy in the staging directory beside it
    std::string backup;  // where the live file is kept while the new one is tried
    bool moved = false;
};

}  // namespace

std::vector<ConfigFile> config_files(const std::vector<render::GeneratedFile>& files) {
    std::vector<ConfigFile> out;
    for (const auto& file : files) out.push_back({file.path, file.content, file.mode});
    return out;
}

Validator argv_validator(std::string name, std::function<bool(const std::string&)> applies,
                         std::vector<std::string> argv) {
    auto check = [argv = std::move(argv)](remote::Session& session,
                                          const std::vector<StagedFile>& files) -> std::string {
        for (const auto& file : files) {
            auto words = argv;
            for (auto& word : words)
                if (word == "{staged}") word = file.staged;
            auto result = session.run(words, sudo_step("validate"));
            if (result.exit_code != 0) {
                auto why = tail_lines(result.err.empty() ? result.out : result.err);
                return file.file->path + ": " + (why.empty() ? "rejected" : why);
            }
        }
        return "";
    };
    return {std::move(name), std::move(applies), std::move(check)};
}

std::function<bool(const std::string&)> path_ends_with(std::string suffix) {
    return [suffix = std::move(suffix)](const std::string& path) {
        return util::ends_with(path, suffix);
    };
}

std::function<bool(const std::string&)> path_is(std::string wanted) {
    return [wanted = std::move(wanted)](const std::string& path) { return path == wanted; };
}

bool apply_config(const RoleTarget& target, const ConfigChange& change, RoleReport& report) {
    auto& session = target.session;
    const auto& node = target.node.name;
    auto fail = [&](const std::string& step, const std::string& message) {
        return InfraError("service " + target.service.name + ": " + message, node, step);
    };

    // compare: sha256, mode and owner of every live file against the rendered content.
    StepTimer compare(report, "compare");
    std::vector<std::string> paths;
    for (const auto& file : change.files) paths.push_back(file.path);
    auto states = remote::root_file_states(session, paths, "compare");
    std::vector<Work> work;
    for (const auto& file : change.files) {
        auto it = states.find(file.path);
        auto wanted = remote::wanted_state(file.content, {file.mode, "root", file.group});
        if (it == states.end() || it->second != wanted) work.push_back({&file, {}, {}});
    }
    if (work.empty() && !change.reload_anyway) {
        compare.done(Outcome::ok, std::to_string(change.files.size()) + " file(s) unchanged");
        StepTimer start(report, "start");
        bool started = change.control.start ? change.control.start() : false;
        start.done(started ? Outcome::changed : Outcome::ok);
        StepTimer probe(report, "probe");
        if (change.control.probe) change.control.probe();
        probe.done(Outcome::ok);
        return started;
    }
    std::vector<std::string> changed_paths;
    for (const auto& item : work) changed_paths.push_back(item.file->path);
    compare.done(work.empty() ? Outcome::ok : Outcome::changed,
                 work.empty() ? "files unchanged; the service must take up other changes"
                              : util::join(changed_paths, ", "));

    // The staging directories go whatever happens, unless a failed restore still needs the
    // files kept in them.
    std::set<std::string> staging_dirs;
    for (auto& item : work) {
        auto dir = parent_of(item.file->path) + "/" + kStagingDir;
        staging_dirs.insert(dir);
        item.staged = dir + "/" + base_of(item.file->path);
        item.backup = item.staged + ".previous";
    }
    bool keep_staging = false;
    struct Cleanup {
        std::function<void()> run;
        ~Cleanup() {
            try {
                run();
            } catch (const std::exception& error) {
                spdlog::warn("cleanup of the staging directories failed: {}", error.what());
            }
        }
    } cleanup{[&] {
        if (keep_staging || staging_dirs.empty()) return;
        std::vector<std::string> argv{"rm", "-rf", "--"};
        argv.insert(argv.end(), staging_dirs.begin(), staging_dirs.end());
        session.run(argv, sudo_step("cleanup"));
    }};

    if (!work.empty()) {
        // stage: every changed file, with its owner and mode, beside its live file.
        StepTimer stage(report, "stage");
        std::set<std::string> dirs;
        for (const auto& item : work) dirs.insert(parent_of(item.file->path));
        std::vector<std::string> mkdir{"mkdir", "-p", "--"};
        mkdir.insert(mkdir.end(), dirs.begin(), dirs.end());
        session.check(mkdir, sudo_step("stage"));
        std::vector<std::string> staging{"sh", "-c", kStagingScript, "sh"};
        staging.insert(staging.end(), staging_dirs.begin(), staging_dirs.end());
        session.check(staging, sudo_step("stage"));
        std::vector<remote::RootFile> files;
        for (const auto& item : work)
            files.push_back(
                {item.file->content, item.staged, {item.file->mode, "root", item.file->group}});
        remote::write_root_files(session, files, "stage");
        stage.done(Outcome::changed, std::to_string(work.size()) + " file(s)");

        // validate: each validator against the staged copies of the files it covers.
        StepTimer validate(report, "validate");
        std::vector<std::string> checked;
        std::set<const ConfigFile*> covered;
        for (const auto& validator : change.validators) {
            std::vector<StagedFile> staged;
            for (const auto& item : work)
                if (!validator.applies || validator.applies(item.file->path))
                    staged.push_back({item.file, item.staged});
            if (staged.empty()) continue;
            auto why = validator.check(session, staged);
            if (!why.empty())
                throw fail("validate", validator.name +
                                           " rejected the new files (the live files are "
                                           "unchanged): " +
                                           why);
            for (const auto& file : staged) covered.insert(file.file);
            checked.push_back(validator.name);
        }
        std::vector<std::string> unchecked;
        for (const auto& item : work)
            if (!covered.count(item.file)) unchecked.push_back(base_of(item.file->path));
        std::string detail = checked.empty() ? "" : "checked by " + util::join(checked, ", ");
        if (!unchecked.empty())
            detail += (detail.empty() ? "" : "; ") + std::string("no validator for ") +
                      util::join(unchecked, ", ");
        validate.done(Outcome::ok, detail);
    }

    // From here on the live files change: any failure puts every moved file back.
    auto restore = [&](const std::string& step, const std::string& message, bool reload_again) {
        std::string restored = work.empty() ? "no file had changed" : "the previous files are back";
        for (auto it = work.rbegin(); it != work.rend(); ++it) {
            if (!it->moved) continue;
            auto result = session.run(
                {"sh", "-c", kRestoreScript, "sh", it->file->path, it->backup}, sudo_step(step));
            if (result.exit_code != 0) {
                keep_staging = true;
                restored = "restoring " + it->file->path + " failed (" + util::trim(result.err) +
                           "; its previous copy is " + it->backup + ")";
            }
        }
        if (reload_again && change.control.reload) {
            try {
                change.control.reload();
            } catch (const std::exception& error) {
                restored += "; reloading them failed too: " + std::string(error.what());
            }
        }
        return fail(step, message + " (" + restored + ")");
    };

    if (!work.empty()) {
        StepTimer move(report, "move");
        for (auto& item : work) {
            try {
                session.check(
                    {"sh", "-c", kMoveScript, "sh", item.staged, item.file->path, item.backup},
                    sudo_step("move"));
            } catch (const InterruptedError&) {
                restore("move", "interrupted", false);
                throw;
            } catch (const std::exception& error) {
                throw restore("move", error.what(), false);
            }
            item.moved = true;
        }
        move.done(Outcome::changed, "previous files kept until the probe passes");
    }

    StepTimer reload(report, "reload");
    try {
        if (change.control.reload) change.control.reload();
    } catch (const InterruptedError&) {
        throw;
    } catch (const std::exception& error) {
        throw restore("reload", std::string("reload failed: ") + error.what(), true);
    }
    reload.done(Outcome::changed);

    StepTimer probe(report, "probe");
    try {
        if (change.control.probe) change.control.probe();
    } catch (const InterruptedError&) {
        throw;
    } catch (const std::exception& error) {
        throw restore("probe", std::string("not ready with the new files: ") + error.what(), true);
    }
    probe.done(Outcome::ok);
    return true;
}

// systemd-analyze verify exits 0 on most of what systemd itself only warns about and ignores
// (an unknown key, a bad Type=), so every line it prints about the staged unit rejects it too.
Validator systemd_unit_validator() {
    auto check = [](remote::Session& session, const std::vector<StagedFile>& files) -> std::string {
        for (const auto& file : files) {
            auto unit = file.staged.substr(file.staged.rfind('/') + 1);
            auto result =
                session.run({"systemd-analyze", "verify", file.staged}, sudo_step("validate"));
            std::vector<std::string> about;
            for (const auto& line : util::split(result.out + "\n" + result.err, '\n'))
                if (line.find(unit) != std::string::npos) about.push_back(util::trim(line));
            if (result.exit_code != 0 && about.empty()) about.push_back(util::trim(result.err));
            if (!about.empty()) return file.file->path + ": " + util::join(about, "\n");
        }
        return "";
    };
    return {"systemd-analyze verify",
            [](const std::string& path) {
                return path_ends_with(".service")(path) || path_ends_with(".mount")(path);
            },
            std::move(check)};
}

}  // namespace labctl::services

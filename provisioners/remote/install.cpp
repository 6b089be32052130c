#include "remote/install.hpp"

#include <cstdio>

#include "remote/transfer.hpp"
#include "util/strings.hpp"

namespace labctl::remote {

namespace {

// Prints "PATH<TAB>SHA256 MODE OWNER GROUP" for each existing argument.
constexpr const char* kStateScript = R"sh(for f; do if [ -e "$f" ]; then
h=$(sha256sum -- "$f" | cut -c1-64) && printf '%s\t%s %s\n' "$f" "$h" "$(stat -c '%a %U %G' -- "$f")"
fi; done)sh";

// Per file, four arguments: source (private temp), target, mode, owner:group.
constexpr const char* kInstallScript = R"sh(set -e
umask 077
tmp=
trap 'if [ -n "$tmp" ]; then rm -f -- "$tmp"; fi' EXIT
while [ $# -ge 4 ]; do
tmp="$(dirname -- "$2")/.labctl-$(basename -- "$2").$$"
cp -- "$1" "$tmp"
chown -- "$4" "$tmp"
chmod -- "$3" "$tmp"
mv -f -T -- "$tmp" "$2"
tmp=
shift 4
done)sh";

RunOptions as_root(const std::string& step) {
    RunOptions options;
    options.sudo = true;
    options.step = step;
    return options;
}

std::string octal(unsigned mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%o", mode & 07777);
    return text;
}

}  // namespace

std::string wanted_state(std::string_view content, const InstallOptions& options) {
    return sha256_hex(content) + " " + octal(options.mode) + " " + options.owner + " " +
           options.group;
}

std::map<std::string, std::string> root_file_states(Session& session,
                                                    const std::vector<std::string>& paths,
                                                    const std::string& step) {
    std::map<std::string, std::string> states;
    if (paths.empty()) return states;
    std::vector<std::string> argv{"sh", "-c", kStateScript, "sh"};
    argv.insert(argv.end(), paths.begin(), paths.end());
    for (const auto& line : util::split(session.check(argv, as_root(step)).out, '\n')) {
        auto tab = line.find('\t');
        if (tab != std::string::npos)
            states[line.substr(0, tab)] = util::trim(line.substr(tab + 1));
    }
    return states;
}

void write_root_files(Session& session, const std::vector<RootFile>& files,
                      const std::string& step) {
    if (files.empty()) return;
    auto dir = util::trim(session.check({"mktemp", "-d", "/tmp/labctl-install.XXXXXX"}).out);
    struct RemoveDir {
        Session& session;
        std::string dir;
        ~RemoveDir() {
            try {
                session.run({"rm", "-rf", "--", dir});
            } catch (...) {
                // Best effort: the directory is private (0700) and under /tmp.
            }
        }
    } remove{session, dir};
    std::vector<std::string> argv{"sh", "-c", kInstallScript, "sh"};
    int index = 0;
    for (const auto& file : files) {
        auto source = dir + "/" + std::to_string(index++);
        upload(session, file.content, source, 0600);
        argv.insert(argv.end(), {source, file.path, octal(file.options.mode),
                                 file.options.owner + ":" + file.options.group});
    }
    session.check(argv, as_root(step));
}

bool install_file(Session& session, std::string_view content, const std::string& path,
                  const InstallOptions& options) {
    auto states = root_file_states(session, {path});
    auto it = states.find(path);
    if (it != states.end() && it->second == wanted_state(content, options)) return false;
    write_root_files(session, {{content, path, options}});
    return true;
}

}  // namespace labctl::remote

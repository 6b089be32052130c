#include "remote/install.hpp"

#include <cstdio>

#include "remote/transfer.hpp"
#include "util/strings.hpp"

namespace labctl::remote {

namespace {

constexpr const char* kStep = "install";

// Prints "SHA256 MODE OWNER GROUP" of $1, or nothing when it does not exist.
constexpr const char* kStateScript = R"sh(if [ -e "$1" ]; then
h=$(sha256sum -- "$1" | cut -c1-64) && printf '%s %s\n' "$h" "$(stat -c '%a %U %G' -- "$1")"
fi)sh";

// $1 source (private temp), $2 target, $3 mode, $4 owner:group.
constexpr const char* kInstallScript = R"sh(set -e
umask 077
tmp="$(dirname -- "$2")/.labctl-$(basename -- "$2").$$"
trap 'rm -f -- "$tmp"' EXIT
cp -- "$1" "$tmp"
chown -- "$4" "$tmp"
chmod -- "$3" "$tmp"
mv -f -T -- "$tmp" "$2"
trap - EXIT)sh";

RunOptions as_root() {
    RunOptions options;
    options.sudo = true;
    options.step = kStep;
    return options;
}

}  // namespace

bool install_file(Session& session, std::string_view content, const std::string& path,
                  const InstallOptions& options) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", options.mode & 07777);
    auto wanted = sha256_hex(content) + " " + mode + " " + options.owner + " " + options.group;
    auto state = session.check({"sh", "-c", kStateScript, "sh", path}, as_root()).out;
    if (util::trim(state) == wanted) return false;

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
    auto source = dir + "/content";
    upload(session, content, source, 0600);
    session.check(
        {"sh", "-c", kInstallScript, "sh", source, path, mode, options.owner + ":" + options.group},
        as_root());
    return true;
}

}  // namespace labctl::remote

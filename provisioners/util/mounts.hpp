// Mounts below a directory, read from /proc/self/mountinfo, and undoing them. A path can hold
// several stacked mounts: a mount under a directory whose mount is shared with a peer at the
// same path (e.g. `mount --rbind D D; mount --make-shared D`, as the e2e tests do) appears
// twice there, and one umount leaves the other in place.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace labctl::util {

// A path field of /proc/self/mountinfo, which escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& field);

// Every mount point at or below DIR, one entry per mount (stacked mounts repeat), deepest
// first, so unmounting them in order never meets a busy parent.
std::vector<std::filesystem::path> mounts_below(const std::filesystem::path& dir);

// Unmounts everything mounts_below(DIR) lists; a mount still busy is detached lazily
// (MNT_DETACH), so the directory can be removed. Returns false when something stayed mounted.
bool unmount_below(const std::filesystem::path& dir);

}  // namespace labctl::util

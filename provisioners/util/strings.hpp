// Small string helpers that know nothing of labs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace labctl::util {

std::vector<std::string> split(std::string_view text, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string trim(std::string_view text);
bool ends_with(std::string_view text, std::string_view suffix);

// Edit distance, for "did you mean" hints.
std::size_t levenshtein(std::string_view a, std::string_view b);

// The closest candidate within a small distance, or "" when nothing is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Blank (or whitespace-only) lines become empty, and runs of them one empty line.
std::string collapse_blank_lines(std::string_view text);

// Quotes a word for a POSIX shell: 'it'\''s'.
std::string shell_quote(std::string_view word);

// Escapes &, <, >, ", ' for XML text and attributes.
std::string xml_escape(std::string_view text);

// Quotes a string for a JSON/TOML/Ruby-like double-quoted literal.
std::string c_quote(std::string_view text);

// A value that goes into a config line: printable, no newline or other control character.
bool is_printable_line(std::string_view text);
// An absolute path made of [A-Za-z0-9._/-] with no `..` component.
bool is_safe_absolute_path(std::string_view path);
// An HTTP path: starts with '/', URL-safe characters only.
bool is_safe_url_path(std::string_view path);
bool is_env_name(std::string_view name);

}  // namespace labctl::util

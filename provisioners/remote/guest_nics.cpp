#include "remote/guest_nics.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace labctl::remote {

namespace {

// One line per interface from sysfs (MAC) and `ip -o -4 addr` (addresses): both are in
// every labctl image and every cloud image labctl supports.
constexpr const char* kListNics = R"sh(for d in /sys/class/net/*; do
  n=${d##*/}
  printf '%s %s' "$n" "$(cat "$d/address" 2>/dev/null)"
  ip -o -4 addr show dev "$n" 2>/dev/null | while read -r _ _ _ a _; do printf ' %s' "$a"; done
  echo
done)sh";

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

std::vector<GuestNic> parse_guest_nics(std::string_view output) {
    std::vector<GuestNic> nics;
    std::istringstream lines{std::string(output)};
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        GuestNic nic;
        if (!(words >> nic.name >> nic.mac) || nic.name == "lo") continue;
        if (std::count(nic.mac.begin(), nic.mac.end(), ':') != 5) continue;
        nic.mac = lower(nic.mac);
        for (std::string word; words >> word;)
            nic.addresses.push_back(word.substr(0, word.find('/')));
        nics.push_back(std::move(nic));
    }
    return nics;
}

std::vector<GuestNic> read_guest_nics(Session& session, const std::string& step) {
    RunOptions options;
    options.step = step;
    options.timeout = std::chrono::seconds(20);
    auto result = session.check({"sh", "-c", kListNics}, options);
    return parse_guest_nics(result.out);
}

}  // namespace labctl::remote

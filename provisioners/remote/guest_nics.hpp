// What a guest says about its own NICs: interface name, MAC and IPv4 addresses, read over
// SSH in one round trip. labctl calls a node ready only when what the guest reports matches
// the plan, so this is read from inside the guest, never assumed from the plan.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "remote/session.hpp"

namespace labctl::remote {

struct GuestNic {
    std::string name;                    // enp1s0, eth0
    std::string mac;                     // lower case, colon separated
    std::vector<std::string> addresses;  // IPv4, without the prefix length
};

// Parses lines of "NAME MAC [ADDRESS/PREFIX ...]" (what read_guest_nics' script prints);
// malformed lines are skipped, the loopback interface is left out.
std::vector<GuestNic> parse_guest_nics(std::string_view output);

// Runs the listing on the node behind SESSION (no root needed).
std::vector<GuestNic> read_guest_nics(Session& session, const std::string& step);

}  // namespace labctl::remote

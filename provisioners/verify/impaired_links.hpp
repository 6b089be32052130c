// `verify` on impaired links (`impair` in the lab file, `labctl netem`): the round-trip time
// measured with ping from the impaired node to every other node on that network, so a user
// sees the impairment is really there (and how much of it a round trip gets).
#pragma once

#include <string>
#include <vector>

#include "verify/checks.hpp"

namespace labctl::verify {

struct ImpairedLink {
    std::string node;
    std::string network;
    std::string impairment;  // "delay 100ms loss 2%"
};

// One check per (link, peer): "rtt NODE->PEER NETWORK", ok when any reply came back, with the
// measured min/avg/max and loss in its detail.
void check_impaired_links(VerifyContext& context, Report& report,
                          const std::vector<ImpairedLink>& links);

// "rtt min/avg/max/mdev = 0.045/0.060/0.081/0.013 ms" and the loss line of ping's summary:
// "avg 0.060 ms (min 0.045, max 0.081), 0% loss"; "" when PING_OUTPUT has no rtt line.
std::string describe_ping_summary(const std::string& ping_output);

}  // namespace labctl::verify

// A link impairment (`labctl netem`, `impair = { NETWORK = {...} }` on a node): netem's delay,
// jitter, loss and rate, each validated strictly here, once, before it reaches a `tc` argv.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace labctl::topo {

struct Impairment {
    std::string delay;   // "100ms", "1.5s", "250us"; "" unset
    std::string jitter;  // as delay; needs a delay
    std::string loss;    // "2%", "0.5%"
    std::string rate;    // "1mbit", "512kbit", "10gbit", "100bit"

    bool empty() const { return delay.empty() && jitter.empty() && loss.empty() && rate.empty(); }
    // "delay 100ms jitter 10ms loss 2% rate 1mbit" (only what is set)
    std::string describe() const;
    friend bool operator==(const Impairment&, const Impairment&) = default;
};

// Each returns "" when TEXT is valid, else why not (one clause, for `FILE:LINE:COL: error:`
// lines and for the CLI's exit-2 message).
std::string check_duration(std::string_view key, std::string_view text);  // 0..60 s
std::string check_loss(std::string_view text);                            // 0..100 %
std::string check_rate(std::string_view text);                            // > 0, <= 100gbit
// Every problem of IMPAIRMENT as a whole (bad values, jitter without delay, nothing set).
std::vector<std::string> check_impairment(const Impairment& impairment);

}  // namespace labctl::topo

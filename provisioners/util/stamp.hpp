// The time prefix of a progress line, "[  1.25s] ": every command's lines (up, down, kill,
// revive) carry the same one. Two decimals: kill's failover lines are apart by fractions of
// a second.
#pragma once

#include <chrono>
#include <string>

namespace labctl::util {

// SECONDS since whatever the lines count from.
std::string stamp(double seconds);
// The time since START.
std::string stamp(std::chrono::steady_clock::time_point start);
// Seconds since START, the unit of every timing labctl reports.
double seconds_since(std::chrono::steady_clock::time_point start);
// The wall-clock time now, UTC, as ISO 8601 ("2026-12-05T06:03:02Z"): when a record was made.
std::string utc_now();

}  // namespace labctl::util

// IPv4 addresses and subnets, parsed strictly (no leading zeros, no short forms).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace labctl::util {

struct Ipv4 {
    std::uint32_t value = 0;

    static std::optional<Ipv4> parse(std::string_view text);
    std::string str() const;
    friend bool operator==(Ipv4, Ipv4) = default;
    friend auto operator<=>(Ipv4, Ipv4) = default;
};

struct Subnet {
    Ipv4 network;
    int prefix = 0;

    // "192.168.56.0/24"; host bits must be zero, prefix 8..30.
    static std::optional<Subnet> parse(std::string_view text);
    std::string str() const;
    std::uint32_t mask() const { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }
    Ipv4 broadcast() const { return Ipv4{network.value | ~mask()}; }
    // libvirt puts the host's bridge on the first usable address.
    Ipv4 gateway() const { return Ipv4{network.value + 1}; }
    Ipv4 first_host() const { return Ipv4{network.value + 1}; }
    Ipv4 last_host() const { return Ipv4{broadcast().value - 1}; }
    std::string netmask_str() const { return Ipv4{mask()}.str(); }
    bool contains(Ipv4 address) const { return (address.value & mask()) == network.value; }
    bool overlaps(const Subnet& other) const;
};

}  // namespace labctl::util

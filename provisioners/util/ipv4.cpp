#include "util/ipv4.hpp"

#include <charconv>

#include "util/strings.hpp"

namespace labctl::util {

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
    auto parts = split(text, '.');
    if (parts.size() != 4) return std::nullopt;
    std::uint32_t value = 0;
    for (const auto& part : parts) {
        if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0'))
            return std::nullopt;
        unsigned octet = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), octet);
        if (ec != std::errc{} || end != part.data() + part.size() || octet > 255)
            return std::nullopt;
        value = value << 8 | octet;
    }
    return Ipv4{value};
}

std::string Ipv4::str() const {
    return std::to_string(value >> 24) + "." + std::to_string(value >> 16 & 255) + "." +
           std::to_string(value >> 8 & 255) + "." + std::to_string(value & 255);
}

std::optional<Subnet> Subnet::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto address = Ipv4::parse(text.substr(0, slash));
    auto prefix_text = text.substr(slash + 1);
    int prefix = 0;
    auto [end, ec] =
        std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
    if (!address || ec != std::errc{} || end != prefix_text.data() + prefix_text.size())
        return std::nullopt;
    if (prefix < 8 || prefix > 30) return std::nullopt;
    Subnet subnet{*address, prefix};
    if ((address->value & subnet.mask()) != address->value) return std::nullopt;
    return subnet;
}

std::string Subnet::str() const {
    return network.str() + "/" + std::to_string(prefix);
}

bool Subnet::overlaps(const Subnet& other) const {
    int shorter = std::min(prefix, other.prefix);
    std::uint32_t mask = ~std::uint32_t{0} << (32 - shorter);
    return (network.value & mask) == (other.network.value & mask);
}

}  // namespace labctl::util

#include <gtest/gtest.h>

#include "util/ipv4.hpp"

TEST(Ipv4, ParsesAndFormats) {
    auto address = labctl::util::Ipv4::parse("192.168.56.11");
    ASSERT_TRUE(address);
    EXPECT_EQ(address->str(), "192.168.56.11");
}

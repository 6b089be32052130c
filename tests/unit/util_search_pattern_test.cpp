#include <gtest/gtest.h>

#include "util/search_pattern.hpp"

namespace labctl::util {
namespace {

TEST(SearchPattern, FindsAnywhereInTheTextWithTheUsualSyntax) {
    std::string why;
    auto pattern = SearchPattern::compile(R"(instance=chat-\d+ (?:ok|up))", why);
    ASSERT_TRUE(pattern) << why;
    EXPECT_TRUE(pattern->found_in("<p>instance=chat-2 up</p>"));
    EXPECT_FALSE(pattern->found_in("<p>instance=chat-x up</p>"));
}

// std::regex recursed once per character here and killed the process (stack overflow); its
// other executor took minutes when nothing matched.
TEST(SearchPattern, SearchesAMegabyteInBothOutcomes) {
    std::string why;
    auto pattern = SearchPattern::compile("(a|b)*c", why);
    ASSERT_TRUE(pattern) << why;
    std::string body(1 << 20, 'a');
    EXPECT_FALSE(pattern->found_in(body, &why));
    body += 'c';
    EXPECT_TRUE(pattern->found_in(body));
}

TEST(SearchPattern, ABacktrackingPatternGivesUpWithAReasonInsteadOfHanging) {
    std::string why;
    auto pattern = SearchPattern::compile("^(a+)+$", why);
    ASSERT_TRUE(pattern) << why;
    EXPECT_FALSE(pattern->found_in(std::string(64, 'a') + "!", &why));
    EXPECT_NE(why.find("gave up"), std::string::npos) << why;
}

TEST(SearchPattern, BadPatternsSayWhatAndWhere) {
    std::string why;
    EXPECT_FALSE(SearchPattern::compile("a{1,66666666666666666666}", why));
    EXPECT_NE(why.find("at offset"), std::string::npos) << why;
    EXPECT_FALSE(SearchPattern::compile("instance=([", why));
    EXPECT_NE(why.find("at offset"), std::string::npos) << why;
}

}  // namespace
}  // namespace labctl::util

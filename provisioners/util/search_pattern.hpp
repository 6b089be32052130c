#pragma once
// A user's regular expression (a check's `expect_body`, `expect_output`), searched in text a
// guest sent back, with PCRE2. Not std::regex: libstdc++'s ECMAScript executor recurses once
// per character matched (`(a|b)*` over a 100 KB body overflows the stack and kills labctl),
// its other executor is quadratic when nothing matches, and its parser overflows a `long` on
// `a{99999999999999999999}`. PCRE2 backtracks on the heap, under a step limit we set.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct pcre2_real_code_8;

namespace labctl::util {

class SearchPattern {
  public:
    // The pattern, or nullopt with WHY set ("quantifier number too big at offset 9").
    static std::optional<SearchPattern> compile(std::string_view pattern, std::string& why);

    // Whether the pattern occurs in TEXT. False with WHY set when the search gave up: a
    // pattern that backtracks without end (`(a+)+b` over many a's) fails the check, it does
    // not hang it.
    bool found_in(std::string_view text, std::string* why = nullptr) const;

    static constexpr std::uint32_t step_limit = 10'000'000;

  private:
    explicit SearchPattern(std::shared_ptr<pcre2_real_code_8> code) : code_(std::move(code)) {}
    std::shared_ptr<pcre2_real_code_8> code_;
};

}  // namespace labctl::util

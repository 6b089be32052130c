#include "util/search_pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace labctl::util {

namespace {

std::string pcre2_message(int code) {
    PCRE2_UCHAR buffer[256];
    int length = pcre2_get_error_message(code, buffer, sizeof buffer);
    return length < 0 ? "PCRE2 error " + std::to_string(code)
                      : std::string(reinterpret_cast<const char*>(buffer), length);
}

struct MatchDataFree {
    void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};
struct MatchContextFree {
    void operator()(pcre2_match_context* context) const { pcre2_match_context_free(context); }
};

}  // namespace

std::optional<SearchPattern> SearchPattern::compile(std::string_view pattern, std::string& why) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     0, &error, &offset, nullptr);
    if (!code) {
        why = pcre2_message(error) + " at offset " + std::to_string(offset);
        return std::nullopt;
    }
    why.clear();
    return SearchPattern(std::shared_ptr<pcre2_code>(code, pcre2_code_free));
}

bool SearchPattern::found_in(std::string_view text, std::string* why) const {
    std::unique_ptr<pcre2_match_data, MatchDataFree> data(
        pcre2_match_data_create_from_pattern(code_.get(), nullptr));
    std::unique_ptr<pcre2_match_context, MatchContextFree> context(
        pcre2_match_context_create(nullptr));
    if (!data || !context) throw std::bad_alloc();
    pcre2_set_match_limit(context.get(), step_limit);
    int result = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0,
                             0, data.get(), context.get());
    if (result >= 0) return true;
    if (result != PCRE2_ERROR_NOMATCH && why) *why = "the search gave up: " + pcre2_message(result);
    return false;
}

}  // namespace labctl::util

# Precompiled headers: the standard library, nlohmann-json, toml++, Mustache, CLI11 and
# GoogleTest parsed once per target instead of once per file. Off by default: with them GCC 12
# reports bogus -Warray-bounds / -Wstringop-overflow on inlined std::string concatenation in
# several files (which -Werror turns into a failed build), and they saved only 11 % of a cold
# build's CPU time (code generation dominates). The fuzzer's clang build turns them on.
option(LABCTL_PCH "Precompile the headers most files include" OFF)

set(LABCTL_PCH_COMMON <algorithm> <chrono> <filesystem> <functional> <iostream> <map> <memory>
    <optional> <set> <sstream> <string> <string_view> <vector> <nlohmann/json.hpp>)

# labctl_precompile(TARGET [header...]): the common headers plus the target's own heavy ones.
# A header goes in only where the target links its library (toml++'s compile definitions
# come with tomlplusplus::tomlplusplus, and must be the same in every file).
function(labctl_precompile target)
  if(LABCTL_PCH)
    target_precompile_headers(${target} PRIVATE ${LABCTL_PCH_COMMON} ${ARGN})
  endif()
endfunction()


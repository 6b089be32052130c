# Precompiled headers: the standard library, nlohmann-json, toml++, Mustache, CLI11 and
# GoogleTest are parsed once per target instead of once per file (about half of a file's
# compile time was parsing them). LABCTL_PCH=OFF compiles every file on
# its own includes, which is how a missing #include shows.
option(LABCTL_PCH "Precompile the headers most files include (faster builds)" ON)

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

# GCC 12 reports bogus -Warray-bounds on inlined std::string concatenation (`a + "/" + b`), and
# which files it flags changes once the standard headers come precompiled; later GCCs do not.
if(LABCTL_PCH AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND LABCTL_WARNINGS -Wno-array-bounds)
endif()

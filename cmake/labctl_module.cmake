# One static library per folder of provisioners/ (and vagrant/), with its dependencies named
# explicitly. labctl_module(FOLDER [DIR path] DEPS module... LIBS target...) builds
# labctl_FOLDER from FOLDER's .cpp files (its unit tests, *_test.cpp, build into the unit tests)
# and records the dependencies, which cmake/check_layers.cmake holds every #include to: a file
# may include only its own folder and the folders its module names in DEPS.

include(${CMAKE_CURRENT_LIST_DIR}/labctl_pch.cmake)

set(LABCTL_LAYERS_FILE ${CMAKE_BINARY_DIR}/labctl_layers.txt)
file(WRITE ${LABCTL_LAYERS_FILE} "")

# CHECK_ONLY records the folder's dependencies without building a library (cli/, whose files
# build into the labctl executable).
function(labctl_module folder)
  cmake_parse_arguments(MOD "CHECK_ONLY" "DIR" "DEPS;LIBS;EXTRA_SOURCES" ${ARGN})
  if(NOT MOD_DIR)
    set(MOD_DIR ${CMAKE_SOURCE_DIR}/provisioners/${folder})
  endif()
  string(JOIN "," deps_text ${MOD_DEPS})
  file(APPEND ${LABCTL_LAYERS_FILE} "${folder}|${MOD_DIR}|${deps_text}\n")
  if(MOD_CHECK_ONLY)
    return()
  endif()
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${MOD_DIR}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "_test\\.cpp$")
  set(target labctl_${folder})
  add_library(${target} STATIC ${sources} ${MOD_EXTRA_SOURCES})
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/provisioners ${CMAKE_SOURCE_DIR})
  list(TRANSFORM MOD_DEPS PREPEND labctl_ OUTPUT_VARIABLE dep_targets)
  target_link_libraries(${target} PUBLIC ${dep_targets} ${MOD_LIBS})
  target_compile_options(${target} PRIVATE ${LABCTL_WARNINGS})
  target_compile_definitions(${target} PRIVATE LABCTL_VERSION="${PROJECT_VERSION}")
  # Everything from topology up links toml++ and reads Mustache templates through render.
  set(heavy)
  if(folder STREQUAL "topology" OR "topology" IN_LIST MOD_DEPS)
    list(APPEND heavy <toml++/toml.h>)
  endif()
  if(folder STREQUAL "render" OR "render" IN_LIST MOD_DEPS)
    list(APPEND heavy <kainjow/mustache.hpp>)
  endif()
  labctl_precompile(${target} ${heavy})
endfunction()

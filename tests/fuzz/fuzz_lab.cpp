// libFuzzer target: any bytes through load + validate + render + graph must never crash,
// hang or let an exception escape (the promise of SPEC.md section 4 for bad input).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "graph/graph.hpp"
#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto result = labctl::labfile::load_lab_text(text, "fuzz.toml");
    (void)result.diagnostics.format();
    if (result.lab) {
        // A valid lab must render with the built-in templates and draw, without exceptions.
        static const labctl::render::TemplateSet templates;
        (void)labctl::labfile::render_lab(*result.lab, templates);
        (void)labctl::graph::render_graph(*result.lab, labctl::graph::Format::dot);
        (void)labctl::graph::render_graph(*result.lab, labctl::graph::Format::mermaid);
    }
    return 0;
}

#include "virt/tag.hpp"

#include "util/xml_writer.hpp"
#include "virt/xml_query.hpp"

namespace labctl::virt {

void write_tag(util::XmlWriter& xml, const Tag& tag) {
    xml.open("metadata")
        .open("labctl:lab")
        .attr("xmlns:labctl", kTagNamespace)
        .attr("name", tag.lab);
    if (!tag.node.empty()) xml.attr("node", tag.node);
    if (!tag.file.empty()) xml.attr("file", tag.file);
    xml.close().close();
}

std::optional<Tag> read_tag(std::string_view object_xml) {
    XmlDoc doc(object_xml);
    // By namespace URI, not by prefix: libvirt may rewrite the prefix.
    auto names = doc.values("/*/metadata/l:lab/@name");
    if (names.empty()) return std::nullopt;
    Tag tag;
    tag.lab = names.front();
    tag.node = doc.value("/*/metadata/l:lab/@node");
    tag.file = doc.value("/*/metadata/l:lab/@file");
    return tag;
}

}  // namespace labctl::virt

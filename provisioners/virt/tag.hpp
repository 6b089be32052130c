// labctl's ownership tag. Every domain and network labctl creates carries, in its <metadata>,
//   <labctl:lab xmlns:labctl="https://labctl.dev/xmlns/1" name="LAB" node="NODE"
//   file="/abs/lab.toml"/>
// `down` removes only objects whose tag names the lab, never an object merely because its
// name starts with the lab's prefix. (Measured: libvirt 9.0 keeps <metadata> in network XML
// as well as in domain XML, on test:///default; the real daemon shares the same parser.)
// Storage pools have no <metadata>: the pool is recognised as the lab's by its name AND its
// target path inside the lab's state directory AND the record in the state directory.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace labctl::util {
class XmlWriter;
}

namespace labctl::virt {

inline constexpr const char* kTagNamespace = "https://labctl.dev/xmlns/1";
inline constexpr const char* kTagPrefix = "labctl";

struct Tag {
    std::string lab;
    std::string node;  // empty for networks
    std::string file;  // absolute topology path, informational
};

// Writes <metadata><labctl:lab .../></metadata>.
void write_tag(util::XmlWriter& xml, const Tag& tag);

// The tag inside a domain's or network's XML description, or nullopt when it carries none.
std::optional<Tag> read_tag(std::string_view object_xml);

}  // namespace labctl::virt

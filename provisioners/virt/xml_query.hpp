// Reads values out of the XML libvirt returns (object descriptions), with libxml2's parser
// and XPath rather than string searches, so attribute order, quoting and entities libvirt
// chooses never matter.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace labctl::virt {

class XmlDoc {
  public:
    // Throws InfraError when TEXT is not well-formed XML. Never touches the network.
    explicit XmlDoc(std::string_view text);
    ~XmlDoc();
    XmlDoc(const XmlDoc&) = delete;
    XmlDoc& operator=(const XmlDoc&) = delete;

    // String values of the nodes EXPR selects (attributes, text); prefix `l:` is labctl's
    // namespace (virt/tag.hpp).
    std::vector<std::string> values(const std::string& expr) const;
    // The first value, or "" when none.
    std::string value(const std::string& expr) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace labctl::virt

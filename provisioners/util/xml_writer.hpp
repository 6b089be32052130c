// A streaming XML writer on libxml2's xmlTextWriter: libxml2 escapes every attribute value and
// text node, so names, paths and other values from the topology file can never change the
// structure of the libvirt XML labctl sends (no string glue). Values are also checked here for
// characters XML 1.0 cannot carry, which libxml2 would write as invalid character references.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace labctl::util {

// Like util::xml_escape (strings.hpp), but refuses what XML cannot carry. Text escaped for an XML
// attribute value (quoted with ") or a text node. Throws InputError for characters XML 1.0 cannot
// represent at all (NUL and other C0 controls but \t \n \r).
std::string xml_escape_checked(std::string_view text);

class XmlWriter {
  public:
    XmlWriter();
    ~XmlWriter();
    XmlWriter(const XmlWriter&) = delete;
    XmlWriter& operator=(const XmlWriter&) = delete;

    // <name ...>: attributes may follow until the first child, text or close.
    XmlWriter& open(std::string_view name);
    XmlWriter& attr(std::string_view name, std::string_view value);
    XmlWriter& attr(std::string_view name, long long value);
    XmlWriter& text(std::string_view value);
    XmlWriter& close();
    // <name>value</name> in one call.
    XmlWriter& element(std::string_view name, std::string_view value);
    // The document; every open element must be closed.
    std::string str() const;

  private:
    struct Handles;  // the libxml2 buffer and writer, each freed by its own deleter
    std::unique_ptr<Handles> handles_;
    std::vector<std::string> stack_;
    bool start_tag_open_ = false;
};

}  // namespace labctl::util

// A small streaming XML writer: every attribute value and text node is escaped here, so
// names, paths and other values from the topology file can never change the structure of
// the libvirt XML labctl sends (no string glue).
#pragma once

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
    void finish_start_tag();

    std::string out_;
    std::vector<std::string> stack_;
    bool start_tag_open_ = false;
};

}  // namespace labctl::util

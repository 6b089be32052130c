#include "util/xml_writer.hpp"

#include <stdexcept>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::util {

namespace {

void check_name(std::string_view name) {
    // Element and attribute names are always labctl's own constants; a bad one is a bug.
    if (name.empty()) throw std::logic_error("XmlWriter: empty name");
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == ':' || c == '.';
        if (!ok) throw std::logic_error("XmlWriter: bad name " + std::string(name));
    }
}

}  // namespace

std::string xml_escape_checked(std::string_view text) {
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r')
            throw InputError("value contains a control character XML cannot carry: " +
                             std::to_string(static_cast<int>(u)));
    }
    return xml_escape(text);
}

void XmlWriter::finish_start_tag() {
    if (start_tag_open_) {
        out_ += '>';
        start_tag_open_ = false;
    }
}

XmlWriter& XmlWriter::open(std::string_view name) {
    check_name(name);
    finish_start_tag();
    out_ += '<';
    out_ += name;
    stack_.emplace_back(name);
    start_tag_open_ = true;
    return *this;
}

XmlWriter& XmlWriter::attr(std::string_view name, std::string_view value) {
    check_name(name);
    if (!start_tag_open_) throw std::logic_error("XmlWriter: attribute outside a start tag");
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
    out_ += xml_escape_checked(value);
    out_ += '"';
    return *this;
}

XmlWriter& XmlWriter::attr(std::string_view name, long long value) {
    return attr(name, std::to_string(value));
}

XmlWriter& XmlWriter::text(std::string_view value) {
    if (stack_.empty()) throw std::logic_error("XmlWriter: text outside an element");
    finish_start_tag();
    out_ += xml_escape_checked(value);
    return *this;
}

XmlWriter& XmlWriter::close() {
    if (stack_.empty()) throw std::logic_error("XmlWriter: close without open");
    if (start_tag_open_) {
        out_ += "/>";
        start_tag_open_ = false;
    } else {
        out_ += "</";
        out_ += stack_.back();
        out_ += '>';
    }
    stack_.pop_back();
    return *this;
}

XmlWriter& XmlWriter::element(std::string_view name, std::string_view value) {
    return open(name).text(value).close();
}

std::string XmlWriter::str() const {
    if (!stack_.empty()) throw std::logic_error("XmlWriter: unclosed element " + stack_.back());
    return out_;
}

}  // namespace labctl::util

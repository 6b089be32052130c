#include "util/xml_writer.hpp"

#include <libxml/xmlwriter.h>

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

void check_text(std::string_view text) {
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r')
            throw InputError("value contains a control character XML cannot carry: " +
                             std::to_string(static_cast<int>(u)));
    }
}

const xmlChar* xml_chars(const std::string& text) {
    return reinterpret_cast<const xmlChar*>(text.c_str());
}

// libxml2 reports failure as a negative count; only a bug or out of memory gets here.
void check_call(int result, const char* what) {
    if (result < 0)
        throw std::runtime_error(std::string("libxml2 xmlTextWriter: ") + what + " failed");
}

}  // namespace

std::string xml_escape_checked(std::string_view text) {
    check_text(text);
    return xml_escape(text);
}

struct XmlWriter::Handles {
    struct BufferFree {
        void operator()(xmlBufferPtr buffer) const { xmlBufferFree(buffer); }
    };
    struct WriterFree {
        void operator()(xmlTextWriterPtr writer) const { xmlFreeTextWriter(writer); }
    };
    std::unique_ptr<xmlBuffer, BufferFree> buffer;
    std::unique_ptr<xmlTextWriter, WriterFree> writer;  // freed first: it flushes into buffer
};

XmlWriter::XmlWriter() : handles_(std::make_unique<Handles>()) {
    handles_->buffer.reset(xmlBufferCreate());
    if (!handles_->buffer) throw std::bad_alloc();
    handles_->writer.reset(xmlNewTextWriterMemory(handles_->buffer.get(), 0));
    if (!handles_->writer) throw std::bad_alloc();
}

XmlWriter::~XmlWriter() = default;

XmlWriter& XmlWriter::open(std::string_view name) {
    check_name(name);
    std::string element(name);
    check_call(xmlTextWriterStartElement(handles_->writer.get(), xml_chars(element)), "open");
    stack_.push_back(std::move(element));
    start_tag_open_ = true;
    return *this;
}

XmlWriter& XmlWriter::attr(std::string_view name, std::string_view value) {
    check_name(name);
    if (!start_tag_open_) throw std::logic_error("XmlWriter: attribute outside a start tag");
    check_text(value);
    std::string attribute(name), text(value);
    check_call(
        xmlTextWriterWriteAttribute(handles_->writer.get(), xml_chars(attribute), xml_chars(text)),
        "attr");
    return *this;
}

XmlWriter& XmlWriter::attr(std::string_view name, long long value) {
    return attr(name, std::to_string(value));
}

XmlWriter& XmlWriter::text(std::string_view value) {
    if (stack_.empty()) throw std::logic_error("XmlWriter: text outside an element");
    check_text(value);
    start_tag_open_ = false;
    std::string text(value);
    check_call(xmlTextWriterWriteString(handles_->writer.get(), xml_chars(text)), "text");
    return *this;
}

XmlWriter& XmlWriter::close() {
    if (stack_.empty()) throw std::logic_error("XmlWriter: close without open");
    // An element with no content closes as <name/>, as libvirt writes it.
    check_call(xmlTextWriterEndElement(handles_->writer.get()), "close");
    stack_.pop_back();
    start_tag_open_ = false;
    return *this;
}

XmlWriter& XmlWriter::element(std::string_view name, std::string_view value) {
    return open(name).text(value).close();
}

std::string XmlWriter::str() const {
    if (!stack_.empty()) throw std::logic_error("XmlWriter: unclosed element " + stack_.back());
    check_call(xmlTextWriterFlush(handles_->writer.get()), "flush");
    const auto* content = xmlBufferContent(handles_->buffer.get());
    return content ? std::string(reinterpret_cast<const char*>(content),
                                 static_cast<std::size_t>(xmlBufferLength(handles_->buffer.get())))
                   : std::string();
}

}  // namespace labctl::util

#include "virt/xml_query.hpp"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "util/error.hpp"
#include "virt/tag.hpp"

namespace labctl::virt {

namespace {
struct DocDeleter {
    void operator()(xmlDocPtr p) const { xmlFreeDoc(p); }
};
struct ContextDeleter {
    void operator()(xmlXPathContextPtr p) const { xmlXPathFreeContext(p); }
};
struct ObjectDeleter {
    void operator()(xmlXPathObjectPtr p) const { xmlXPathFreeObject(p); }
};
struct XmlCharDeleter {
    void operator()(xmlChar* p) const { xmlFree(p); }
};
}  // namespace

struct XmlDoc::Impl {
    std::unique_ptr<xmlDoc, DocDeleter> doc;
};

XmlDoc::XmlDoc(std::string_view text) : impl_(std::make_unique<Impl>()) {
    impl_->doc.reset(xmlReadMemory(text.data(), static_cast<int>(text.size()), "libvirt.xml",
                                   nullptr,
                                   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!impl_->doc) throw InfraError("libvirt returned XML labctl cannot parse");
}

XmlDoc::~XmlDoc() = default;

std::vector<std::string> XmlDoc::values(const std::string& expr) const {
    std::unique_ptr<xmlXPathContext, ContextDeleter> context(xmlXPathNewContext(impl_->doc.get()));
    if (!context) throw InfraError("out of memory evaluating XPath");
    xmlXPathRegisterNs(context.get(), BAD_CAST "l", BAD_CAST kTagNamespace);
    std::unique_ptr<xmlXPathObject, ObjectDeleter> result(
        xmlXPathEvalExpression(BAD_CAST expr.c_str(), context.get()));
    if (!result) throw std::logic_error("bad XPath expression " + expr);
    std::vector<std::string> out;
    if (result->type != XPATH_NODESET || !result->nodesetval) return out;
    for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
        std::unique_ptr<xmlChar, XmlCharDeleter> content(
            xmlNodeGetContent(result->nodesetval->nodeTab[i]));
        out.emplace_back(content ? reinterpret_cast<const char*>(content.get()) : "");
    }
    return out;
}

std::string XmlDoc::value(const std::string& expr) const {
    auto all = values(expr);
    return all.empty() ? std::string() : all.front();
}

}  // namespace labctl::virt

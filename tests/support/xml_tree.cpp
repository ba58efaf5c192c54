#include "support/xml_tree.hpp"

#include <expat.h>

namespace cg::test {
namespace {

struct Builder {
  std::vector<XmlElement> stack;
  std::optional<XmlElement> root;
};

void on_start(void* data, const XML_Char* name, const XML_Char**) {
  static_cast<Builder*>(data)->stack.push_back(XmlElement{name, "", {}});
}

void on_end(void* data, const XML_Char*) {
  auto* b = static_cast<Builder*>(data);
  XmlElement done = std::move(b->stack.back());
  b->stack.pop_back();
  if (b->stack.empty())
    b->root = std::move(done);
  else
    b->stack.back().children.push_back(std::move(done));
}

void on_text(void* data, const XML_Char* s, int len) {
  auto* b = static_cast<Builder*>(data);
  if (!b->stack.empty()) b->stack.back().text.append(s, static_cast<std::size_t>(len));
}

}  // namespace

const XmlElement* XmlElement::child(const std::string& n) const {
  for (const XmlElement& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::all(const std::string& n) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children)
    if (c.name == n) out.push_back(&c);
  return out;
}

std::optional<XmlElement> parse_xml(const std::string& xml, std::string* error) {
  Builder b;
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &b);
  XML_SetElementHandler(p, on_start, on_end);
  XML_SetCharacterDataHandler(p, on_text);
  const bool ok = XML_Parse(p, xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_OK;
  if (!ok && error) {
    *error = std::string(XML_ErrorString(XML_GetErrorCode(p))) + " at line " +
             std::to_string(XML_GetCurrentLineNumber(p));
  }
  XML_ParserFree(p);
  if (!ok) return std::nullopt;
  return b.root;
}

}  // namespace cg::test

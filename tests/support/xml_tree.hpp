// XML answers in tests: parsed by expat (a real, strict parser, so a document
// that parses is well-formed) into a small element tree to read values from.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cg::test {

struct XmlElement {
  std::string name;
  std::string text;  // the character data directly inside, entities resolved
  std::vector<XmlElement> children;

  // The first child named `name`, or nullptr.
  const XmlElement* child(const std::string& name) const;
  // The children named `name`.
  std::vector<const XmlElement*> all(const std::string& name) const;
};

// The root element, or nullopt with `error` set when `xml` is not well-formed.
std::optional<XmlElement> parse_xml(const std::string& xml, std::string* error = nullptr);

}  // namespace cg::test

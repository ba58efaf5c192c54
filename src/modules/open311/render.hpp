// GeoReport v2 documents: the JSON of services, service definitions, service
// requests, tokens and errors, the same documents as XML (element names as
// the specification writes them), and the W3C date-times both use.
//
// XML is produced from the JSON document by one converter, so the two formats
// cannot drift apart: objects become elements, arrays repeat their item
// element (<services><service>…), null becomes an empty element, and text is
// escaped (characters XML 1.0 forbids are dropped).
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "modules/open311/model.hpp"

namespace cg::open311 {

enum class Format { json, xml };

// "2026-11-23T09:30:00+08:00".
std::string format_datetime(std::int64_t epoch_ms, std::chrono::minutes offset);
// W3C date-time (2026-11-23T09:30:00Z, …+08:00, fractions allowed) or a date
// (local midnight); times without a zone are local. nullopt when malformed.
std::optional<std::int64_t> parse_datetime(std::string_view text, std::chrono::minutes offset);

boost::json::object service_json(const Service& s);
boost::json::object definition_json(const Service& s);
// `extensions` adds "extended_attributes" (number, case status, grid, timeline).
boost::json::object request_json(const ServiceRequest& r, std::chrono::minutes offset,
                                 bool extensions);
boost::json::object discovery_json(const std::string& base_url);

// The document as XML under <root>; top-level arrays repeat <item_of(root)>.
std::string to_xml(std::string_view root, const boost::json::value& doc);

// The spec's error list: [{"code": 400, "description": "…"}, …], one entry per
// field error (named as the Open311 parameter) or one for the whole error.
boost::json::array errors_json(const Error& e);

}  // namespace cg::open311

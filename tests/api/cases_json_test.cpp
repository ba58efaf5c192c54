// The streaming encoder of case pages (cases::case_page_json, JsonWriter)
// against the Boost.JSON tree the server built before it: same members, same
// order, same values, for hostile text in every string field.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "modules/cases/page_json.hpp"
#include "support/case_json_tree.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;
using cases::Case;

const std::string kHostile[] = {
    "小区门口的充电桩坏了",
    "quote \" backslash \\ slash /",
    std::string("nul \0 bell \a tab \t newline \n return \r esc \x1b us \x1f", 38),
    "emoji 😀👍🏽🇨🇳 and 中文：“请尽快”修理",
    "</script>\xe2\x80\xa8\x7f",
    "",
};

const std::string& hostile(int i) {
  return kHostile[static_cast<std::size_t>(i) % std::size(kHostile)];
}

// A case with every string field hostile; odd cases have every optional set.
Case hostile_case(int i, bool with_coordinates) {
  Case c;
  c.id = 1000 + i;
  c.number = "MQ20261203-" + std::to_string(i) + hostile(i);
  c.title = hostile(i + 1);
  c.description = hostile(i + 2) + "\n" + hostile(i + 3);
  c.category_id = 12;
  c.category_name = hostile(i + 4);
  c.source = "hotline_12345";
  c.reporter_name = hostile(i + 5);
  c.reporter_phone_masked = "139****1234";
  c.grid_id = 31;
  c.grid_name = hostile(i);
  c.address = hostile(i + 1);
  c.priority = "urgent";
  c.status = "dispatched";
  c.level = "grid";
  c.handler_unit = hostile(i + 2);
  c.rework_count = i;
  c.reopen_count = 0;
  c.rating_comment = hostile(i + 3);
  c.version = 3;
  c.created_at = 1'789'900'000'000 + i;
  c.updated_at = c.created_at + 60'000;
  c.warning = "yellow";
  if (i % 2) {
    c.reporter_user_id = 77;
    c.building_id = 5;
    c.handler_user_id = 78;
    c.accept_deadline = 1'790'000'000'000;
    c.handle_deadline = 1'790'100'000'000;
    c.extension_minutes = 480;
    c.extension_reason = hostile(i + 4);
    c.rating = "satisfied";
    c.merged_into = 999;
    c.closed_at = 1'790'200'000'000;
    c.escalated_at = 1'790'300'000'000;
    if (with_coordinates) {
      c.lat = i % 4 == 1 ? 32.0 : 32.0123456789 + i;  // a whole number must stay a double
      c.lng = -120.987654321;
    }
  }
  return c;
}

std::vector<Case> hostile_page(int n, bool with_coordinates) {
  std::vector<Case> page;
  for (int i = 0; i < n; ++i) page.push_back(hostile_case(i, with_coordinates));
  return page;
}

// json::object == ignores order; the order of members is part of the shape.
void expect_same_order(const json::value& a, const json::value& b) {
  if (a.is_object() && b.is_object()) {
    const json::object &x = a.as_object(), &y = b.as_object();
    ASSERT_EQ(x.size(), y.size());
    for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
      ASSERT_EQ(i->key(), j->key());
      expect_same_order(i->value(), j->value());
    }
  } else if (a.is_array() && b.is_array()) {
    ASSERT_EQ(a.as_array().size(), b.as_array().size());
    for (std::size_t i = 0; i < a.as_array().size(); ++i)
      expect_same_order(a.as_array()[i], b.as_array()[i]);
  }
}

TEST(CasePageJson, ParsesBackToTheFormerTree) {
  for (const std::optional<std::string>& cursor :
       {std::optional<std::string>{}, std::optional<std::string>{"MTAwMDE5"}}) {
    const auto page = hostile_page(12, true);
    const std::string text = cases::case_page_json(page, cursor).take();
    boost::system::error_code ec;
    const json::value written = json::parse(text, ec);
    ASSERT_FALSE(ec) << ec.message();
    const json::value former = case_page_tree(page, cursor);
    EXPECT_EQ(written, former);
    expect_same_order(written, former);
  }
}

// Doubles aside (Boost.JSON writes 3.2E1, the writer 32), the bytes are the
// same as Boost.JSON's serializer wrote them.
TEST(CasePageJson, IsByteForByteTheFormerTextWithoutCoordinates) {
  const auto page = hostile_page(12, false);
  EXPECT_EQ(cases::case_page_json(page, "MTAwMDE5").take(),
            json::serialize(case_page_tree(page, "MTAwMDE5")));
}

TEST(CasePageJson, AnEmptyPage) {
  EXPECT_EQ(cases::case_page_json({}, std::nullopt).take(), R"({"items":[],"next_cursor":null})");
}

}  // namespace
}  // namespace cg::test

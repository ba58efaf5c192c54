#include "core/json_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <optional>

namespace cg {
namespace {

namespace json = boost::json;

// Every string a resident or an import could put in a field, and then some.
const std::string kHostile[] = {
    "",
    "plain",
    "quote \" and backslash \\ and slash /",
    "\\\"\\\\\"",  // escapes that are already escaped
    std::string("nul \0 inside", 12),
    "bell \a backspace \b tab \t newline \n vtab \v formfeed \f return \r escape \x1b unit \x1f",
    "DEL \x7f stays",
    "emoji 😀👍🏽 and a flag 🇨🇳",
    "中文：小区门口的充电桩坏了，“请尽快”修理",
    "\xe2\x80\xa8 line and paragraph \xe2\x80\xa9 separators",
    "</script><script>alert(1)</script>",
    "ends with a backslash \\",
};

std::string one_value(const std::string& s) {
  JsonWriter w;
  w.value(s);
  return std::move(w).take();
}

TEST(JsonWriter, StringsRoundTripThroughAStrictParser) {
  for (const std::string& s : kHostile) {
    const std::string text = one_value(s);
    boost::system::error_code ec;
    json::value back = json::parse(text, ec);
    ASSERT_FALSE(ec) << text << ": " << ec.message();
    ASSERT_TRUE(back.is_string()) << text;
    EXPECT_EQ(std::string(back.as_string()), s) << text;
  }
}

TEST(JsonWriter, EscapesExactlyWhatJsonRequires) {
  EXPECT_EQ(one_value("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(one_value("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(one_value(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  // Non-ASCII and DEL pass through byte for byte; '/' is not escaped.
  EXPECT_EQ(one_value("王😀/\x7f"), "\"王😀/\x7f\"");
}

// The writer skips plain text 8 bytes at a time: put each byte that needs an
// escape (and a few that do not) at every offset of a longer string.
TEST(JsonWriter, EveryByteAtEveryOffsetOfAWord) {
  std::string specials;
  for (int c = 0; c < 0x20; ++c) specials += static_cast<char>(c);
  specials += "\"\\ !/\x7f\x80\xff";
  for (char special : specials) {
    for (std::size_t at = 0; at < 24; ++at) {
      std::string s = "abcdefghijklmnopqrstuvw中文字符";
      s.insert(at, 1, special);
      const std::string text = one_value(s);
      boost::system::error_code ec;
      json::value back = json::parse(text, ec);
      if (static_cast<unsigned char>(special) >= 0x80)
        continue;  // not UTF-8 alone; bytes checked below
      ASSERT_FALSE(ec) << "byte " << int(special) << " at " << at;
      EXPECT_EQ(std::string(back.as_string()), s) << "byte " << int(special) << " at " << at;
    }
  }
  EXPECT_EQ(one_value("12345678\xff9"), "\"12345678\xff9\"");
}

TEST(JsonWriter, NestedContainersGetTheirCommas) {
  JsonWriter w;
  w.begin_object();
  w.member("a", 1).key("b").begin_array().value("x").begin_object().end_object();
  w.begin_array().end_array().value(nullptr).end_array();
  w.key("c").begin_object().member("d", true).member("e", false).end_object();
  w.member("f", std::optional<int>{}).member("g", std::optional<std::string>{"h"});
  w.end_object();
  EXPECT_EQ(w.text(), R"({"a":1,"b":["x",{},[],null],"c":{"d":true,"e":false},"f":null,"g":"h"})");
}

// The buffer starts small and grows as the document does.
TEST(JsonWriter, GrowsPastItsFirstBuffer) {
  JsonWriter w(1);
  const std::string long_text(10'000, 'x');
  w.begin_array();
  for (int i = 0; i < 500; ++i) w.value(i).value("王\n");
  w.value(long_text).end_array();
  const json::array back = json::parse(w.text()).as_array();
  ASSERT_EQ(back.size(), 1001u);
  EXPECT_EQ(back[998].as_int64(), 499);
  EXPECT_EQ(back[999].as_string(), "王\n");
  EXPECT_EQ(back[1000].as_string(), long_text);
  const std::string written(w.text());
  EXPECT_EQ(std::move(w).take(), written);  // exactly the document, no spare room
}

TEST(JsonWriter, KeysAreEscapedToo) {
  JsonWriter w;
  w.begin_object().member("we\"ird\n", 1).end_object();
  EXPECT_EQ(json::parse(w.text()).as_object().at("we\"ird\n"), 1);
}

TEST(JsonWriter, NumbersAreExact) {
  JsonWriter w;
  w.begin_array();
  w.value(std::numeric_limits<std::int64_t>::min()).value(std::numeric_limits<std::int64_t>::max());
  w.value(0).value(-1).value(39.9042).value(116.407396).value(0.1).value(1e21).value(-2.5e-8);
  w.end_array();
  EXPECT_EQ(w.text().substr(0, 47), "[-9223372036854775808,9223372036854775807,0,-1,");
  const json::array back = json::parse(w.text()).as_array();
  EXPECT_EQ(back[0].as_int64(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(back[1].as_int64(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(back[4].as_double(), 39.9042);
  EXPECT_EQ(back[5].as_double(), 116.407396);
  EXPECT_EQ(back[6].as_double(), 0.1);
  EXPECT_EQ(back[7].as_double(), 1e21);
  EXPECT_EQ(back[8].as_double(), -2.5e-8);
}

TEST(JsonWriter, WholeDoublesStayDoubles) {
  JsonWriter w;
  w.begin_array().value(0.0).value(32.0).value(-7.0).value(1e21).value(3).end_array();
  EXPECT_EQ(w.text(), "[0.0,32.0,-7.0,1e+21,3]");
  const json::array back = json::parse(w.text()).as_array();
  for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(back[i].is_double()) << i;
  EXPECT_TRUE(back[4].is_int64());
}

TEST(JsonWriter, NonFiniteDoublesBecomeNull) {
  JsonWriter w;
  w.begin_array().value(std::nan("")).value(std::numeric_limits<double>::infinity()).end_array();
  EXPECT_EQ(w.text(), "[null,null]");
}

TEST(JsonWriter, ATreeIsEmbeddedAsItIs) {
  JsonWriter w;
  w.begin_object().key("data").tree(json::parse(R"({"k":[1,"二"]})")).member("n", 2).end_object();
  EXPECT_EQ(w.text(), R"({"data":{"k":[1,"二"]},"n":2})");
}

}  // namespace
}  // namespace cg

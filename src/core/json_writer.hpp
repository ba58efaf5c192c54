// A streaming JSON writer: appends a document straight to a string, with no
// tree of values in between. For responses on hot paths (a page of cases is
// ~70 fields × 20 rows: Boost.JSON built an object per case and allocated per
// field before serializing the whole tree; this writes each field once).
//
//   JsonWriter w;
//   w.begin_object().member("id", 7).member("name", name);
//   w.key("tags").begin_array().value("a").value("b").end_array();
//   w.end_object();
//   std::string body = std::move(w).take();
//
// Strings are written as given (UTF-8 passes through untouched) with '"', '\'
// and the control characters U+0000–U+001F escaped, as RFC 8259 requires.
// Integers and doubles are written exactly (shortest round-trip form), and a
// double always reads back as a double (32.0, not 32); a NaN or infinite
// double, which JSON cannot express, becomes null.
//
// The writer does not check nesting: the caller pairs begin_/end_ and puts a
// key() before each value inside an object. The tests parse what it writes.
#pragma once

#include <boost/json/fwd.hpp>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace cg {

class JsonWriter {
 public:
  // `reserve`: the expected size of the document, to grow the buffer once.
  explicit JsonWriter(std::size_t reserve = 256) { out_.resize(reserve); }

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  // An object member's name; the value follows.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(double number);
  JsonWriter& value(bool flag);
  JsonWriter& value(std::nullptr_t) { return null(); }
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonWriter& value(T number) {
    return integer(static_cast<std::int64_t>(number));
  }
  // An absent optional is null.
  template <class T>
  JsonWriter& value(const std::optional<T>& maybe) {
    return maybe ? value(*maybe) : null();
  }
  JsonWriter& null();
  // A value already held as a Boost.JSON tree (e.g. stored JSON read back).
  JsonWriter& tree(const boost::json::value& v);

  // key(name) then value(v): the common case inside an object.
  template <class T>
  JsonWriter& member(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  std::string_view text() const { return {out_.data(), size_}; }
  std::string take() && {
    out_.resize(size_);
    return std::move(out_);
  }

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  JsonWriter& integer(std::int64_t number);
  // A ',' before every value or key but the first in its container.
  void separate() {
    if (need_comma_) put(',');
  }
  void quoted(std::string_view text);
  void put_escape(unsigned char c);

  // The document is out_[0, size_). out_ is kept longer than that, grown by
  // doubling, so that most writes are a bounds check and a copy (appending to
  // a std::string checks, copies and terminates on every call).
  char* room(std::size_t n) {
    if (out_.size() - size_ < n) grow(n);
    return out_.data() + size_;
  }
  void grow(std::size_t n);
  void put(char c) {
    *room(1) = c;
    ++size_;
  }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    size_ += s.size();
  }

  std::string out_;
  std::size_t size_ = 0;
  // True after a complete value (scalar or closed container); false at the
  // start, after an opening bracket and after a key.
  bool need_comma_ = false;
};

}  // namespace cg

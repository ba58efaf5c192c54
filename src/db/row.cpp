// Row accessors. PostgreSQL hands back text for anything the backend does not
// convert, so every accessor accepts the text form of its type as well.
#include <charconv>
#include <string>
#include <system_error>

#include "db/db.hpp"

namespace cg::db {
namespace {

[[noreturn]] void bad_conversion(std::string_view text, const char* type) {
  throw DbError(DbError::Kind::other,
                "cannot read '" + std::string(text.substr(0, 64)) + "' as " + type);
}

double parse_f64(std::string_view s) {
  double out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size()) bad_conversion(s, "a number");
  return out;
}

std::int64_t parse_i64(std::string_view s) {
  // PostgreSQL booleans come back as t/f when a query selects one directly.
  if (s == "t") return 1;
  if (s == "f") return 0;
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc() && end == s.data() + s.size()) return out;
  // NUMERIC results such as SUM() or AVG() may carry a fraction.
  return static_cast<std::int64_t>(parse_f64(s));
}

std::string format_f64(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

// Overload set for std::visit; each lambda handles one alternative.
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};

}  // namespace

bool Row::is_null(std::size_t i) const {
  return std::holds_alternative<std::monostate>(values_.at(i));
}

std::int64_t Row::i64(std::size_t i) const {
  return std::visit(Overloaded{
                        [](std::monostate) -> std::int64_t { return 0; },
                        [](std::int64_t v) { return v; },
                        [](double v) { return static_cast<std::int64_t>(v); },
                        [](const std::string& v) { return parse_i64(v); },
                        [](const Blob& v) { return parse_i64(v.bytes); },
                    },
                    values_.at(i));
}

double Row::f64(std::size_t i) const {
  return std::visit(Overloaded{
                        [](std::monostate) { return 0.0; },
                        [](std::int64_t v) { return static_cast<double>(v); },
                        [](double v) { return v; },
                        [](const std::string& v) { return parse_f64(v); },
                        [](const Blob& v) { return parse_f64(v.bytes); },
                    },
                    values_.at(i));
}

std::string Row::text(std::size_t i) const {
  return std::visit(Overloaded{
                        [](std::monostate) { return std::string(); },
                        [](std::int64_t v) { return std::to_string(v); },
                        [](double v) { return format_f64(v); },
                        [](const std::string& v) { return v; },
                        [](const Blob& v) { return v.bytes; },
                    },
                    values_.at(i));
}

std::string Row::blob(std::size_t i) const {
  // Text and blob are both just bytes here; numbers use their text form.
  return text(i);
}

std::optional<std::int64_t> Row::opt_i64(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return i64(i);
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

std::string Row::take_text(std::size_t i) {
  if (auto* s = std::get_if<std::string>(&values_.at(i))) return std::move(*s);
  return text(i);
}

std::optional<std::string> Row::take_opt_text(std::size_t i) {
  if (is_null(i)) return std::nullopt;
  return take_text(i);
}

}  // namespace cg::db

#include "modules/org/model.hpp"

#include <array>
#include <cctype>

namespace cg::org {
namespace {

struct LevelInfo {
  Level level;
  std::string_view name;
  std::string_view title;
};

constexpr std::array<LevelInfo, 5> kLevels = {{
    {Level::city, "city", "市"},
    {Level::district, "district", "区"},
    {Level::street, "street", "街道"},
    {Level::community, "community", "社区"},
    {Level::grid, "grid", "网格"},
}};

// A bare number or letter code ("3", "A", "12B") reads as a count and needs its
// unit word; anything ending in another character ("3幢", "东楼") is a name.
bool needs_suffix(std::string_view s) {
  if (s.empty()) return false;
  const unsigned char last = static_cast<unsigned char>(s.back());
  return last < 0x80 && std::isalnum(last);
}

void append_part(std::string& out, std::string_view part, std::string_view suffix) {
  if (part.empty()) return;
  if (!out.empty()) out += ' ';
  out += part;
  if (needs_suffix(part)) out += suffix;
}

}  // namespace

std::string_view level_name(Level level) {
  return kLevels[static_cast<int>(level)].name;
}

std::string_view level_title(Level level) {
  return kLevels[static_cast<int>(level)].title;
}

std::optional<Level> level_from_name(std::string_view name) {
  for (const LevelInfo& info : kLevels) {
    if (info.name == name) return info.level;
  }
  return std::nullopt;
}

std::optional<Level> child_level(Level level) {
  if (level == Level::grid) return std::nullopt;
  return static_cast<Level>(static_cast<int>(level) + 1);
}

std::string format_address(std::string_view community, std::string_view building,
                           std::string_view unit, std::string_view room) {
  std::string out(community);
  append_part(out, building, "幢");
  append_part(out, unit, "单元");
  append_part(out, room, "室");
  return out;
}

}  // namespace cg::org

// The name index of the residents registry (migration 0061: grams keyed by
// gram, path, resident): a name search in a scope returns exactly the scope's
// matches, in id order across pages, whatever the name's frequency elsewhere;
// a moved resident is found under its new area only; rows written before 0061
// are carried over under their residents' paths.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "app/app.hpp"
#include "app/embedded.hpp"
#include "core/idcard.hpp"
#include "db/db.hpp"
#include "db/migrate.hpp"
#include "support/fixtures.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;
using Ids = std::vector<std::int64_t>;

std::string make_id(int seq) {
  std::string first17 = fmt::format("320602{}{:03}", "19600101", seq);
  return first17 + *id_check_digit(first17);
}

class PeopleSearchApi : public ::testing::Test {
 protected:
  TestApp app;
  const World& w = app.world();
  int next_seq = 100;

  // Creates a resident as the platform admin in `grid`'s household.
  std::int64_t add(std::int64_t grid, const std::string& name) {
    json::object b{{"household_id", w.household_of_grid.at(grid)},
                   {"name", name},
                   {"id_number", make_id(next_seq++)},
                   {"relation", "head"},
                   {"residence_type", "registered"}};
    auto res = app.as("admin").post("/api/v1/residents", b);
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? res.json().at("id").as_int64() : 0;
  }

  // Every page of a search, `limit` a page; each page must continue the id
  // order of the one before.
  Ids all_pages(const std::string& user, const std::string& query, int limit) {
    Client c = app.as(user);
    Ids out;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      auto res = c.get(fmt::format("/api/v1/residents?limit={}&{}{}", limit, query,
                                   cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_EQ(res.status, 200) << res.body;
      if (res.status != 200) break;
      const json::value& doc = res.json();
      const auto& items = doc.at("items").as_array();
      EXPECT_LE(items.size(), static_cast<std::size_t>(limit));
      for (const auto& item : items) out.push_back(item.at("id").as_int64());
      const json::value& next = doc.at("next_cursor");
      if (next.is_null()) break;
      EXPECT_EQ(items.size(), static_cast<std::size_t>(limit)) << "a short page with a cursor";
      cursor = std::string(next.as_string());
    }
    EXPECT_TRUE(std::ranges::is_sorted(out)) << "pages out of id order";
    EXPECT_EQ(std::set<std::int64_t>(out.begin(), out.end()).size(), out.size()) << "duplicates";
    return out;
  }

  Ids name_search(const std::string& user, const std::string& name, int limit,
                  const std::string& extra = "") {
    return all_pages(user, "q=" + url_encode(name) + extra, limit);
  }

  std::vector<std::tuple<std::string, std::string, std::int64_t>> gram_rows() {
    return app.app().db->read([](db::Conn& c) {
      std::vector<std::tuple<std::string, std::string, std::int64_t>> out;
      for (const db::Row& r : c.query("SELECT gram, path, resident_id FROM resident_name_grams "
                                      "ORDER BY resident_id, gram, path")) {
        out.emplace_back(r.text(0), r.text(1), r.i64(2));
      }
      return out;
    });
  }

  std::string path_of(std::int64_t resident) {
    return app.app().db->read([&](db::Conn& c) {
      return c.query_one("SELECT path FROM residents WHERE id = $1", {resident})->text(0);
    });
  }
};

// 王秀英 in every grid, created in turn so that ids in and out of a scope
// interleave; 王秀兰 shares the gram 王秀 but is no match; 欧阳王秀英 is one.
TEST_F(PeopleSearchApi, FrequentNameInAScopeGivesExactlyItsMatchesInIdOrderAcrossPages) {
  const Ids grids{w.grid1, w.grid3, w.grid2, w.grid4};
  std::map<std::int64_t, Ids> matches;  // grid → ids of 王秀英 and 欧阳王秀英
  for (int round = 0; round < 9; ++round) {
    for (std::int64_t grid : grids) {
      const char* name = round % 3 == 2 ? "王秀兰" : (round == 4 ? "欧阳王秀英" : "王秀英");
      const std::int64_t id = add(grid, name);
      if (std::string(name).find("王秀英") != std::string::npos) matches[grid].push_back(id);
    }
  }
  auto sorted = [](Ids a, const Ids& b = {}) {
    a.insert(a.end(), b.begin(), b.end());
    std::ranges::sort(a);
    return a;
  };
  const Ids bachang = sorted(matches[w.grid1], matches[w.grid2]);
  ASSERT_EQ(bachang.size(), 12u);

  for (int limit : {1, 5, 20}) {
    EXPECT_EQ(name_search("bachang_worker", "王秀英", limit), bachang) << "limit " << limit;
  }
  EXPECT_EQ(name_search("grid2_worker", "王秀英", 4), matches[w.grid2]);
  EXPECT_EQ(name_search("bachang_worker", "王秀英", 4, fmt::format("&area={}", w.grid2)),
            matches[w.grid2]);
  EXPECT_EQ(name_search("suyang_worker", "王秀英", 5), matches[w.grid4]);
  EXPECT_EQ(name_search("street_admin", "王秀英", 7),
            sorted(bachang, matches[w.grid3]));  // 新城桥街道: 八厂 and 文峰
  EXPECT_EQ(name_search("admin", "王秀英", 7),
            sorted(sorted(bachang, matches[w.grid3]), matches[w.grid4]));
  EXPECT_EQ(name_search("bachang_worker", "阳王秀", 5),
            (Ids{matches[w.grid1][3], matches[w.grid2][3]}));
  EXPECT_EQ(name_search("wenfeng_worker", "王秀兰", 2).size(), 3u);

  // Several grants, one nested in another, one elsewhere: each resident once.
  auto made = app.as("admin").post(
      "/api/v1/users",
      {{"username", "two_places"},
       {"display_name", "两地社工"},
       {"password", Client::kPassword},
       {"roles", json::array{{{"role", "community_worker"}, {"area_id", w.bachang}},
                             {{"role", "grid_worker"}, {"area_id", w.grid4}},
                             {{"role", "grid_worker"}, {"area_id", w.grid1}}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(name_search("two_places", "王秀英", 3), sorted(bachang, matches[w.grid4]));
  EXPECT_EQ(name_search("two_places", "王秀英", 3, fmt::format("&area={}", w.grid1)),
            matches[w.grid1]);
}

TEST_F(PeopleSearchApi, MovedResidentIsFoundUnderItsNewAreaOnly) {
  const std::int64_t stays = add(w.grid1, "搬迁甲");
  const std::int64_t moves = add(w.grid1, "搬迁乙");
  const std::string url = fmt::format("/api/v1/residents/{}", moves);
  ASSERT_EQ(name_search("grid1_worker", "搬迁", 10), (Ids{stays, moves}));

  // Within the community, by its worker: grid1 → grid2.
  auto res =
      app.as("bachang_worker").patch(url, {{"household_id", w.household_of_grid.at(w.grid2)}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(name_search("grid1_worker", "搬迁", 10), (Ids{stays}));
  EXPECT_EQ(name_search("grid2_worker", "搬迁", 10), (Ids{moves}));
  EXPECT_EQ(name_search("bachang_worker", "搬迁", 10), (Ids{stays, moves}));

  // To another street, renamed in the same change.
  res = app.as("admin").patch(
      url, {{"household_id", w.household_of_grid.at(w.grid4)}, {"name", "迁出丙"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(name_search("bachang_worker", "搬迁", 10), (Ids{stays}));
  EXPECT_TRUE(name_search("grid2_worker", "迁出", 10).empty());
  EXPECT_TRUE(name_search("street_admin", "迁出", 10).empty());
  EXPECT_EQ(name_search("suyang_worker", "迁出", 10), (Ids{moves}));
  EXPECT_TRUE(name_search("suyang_worker", "搬迁", 10).empty());
  EXPECT_EQ(name_search("admin", "迁出", 10, fmt::format("&area={}", w.grid4)), (Ids{moves}));
  EXPECT_TRUE(name_search("admin", "迁出", 10, fmt::format("&area={}", w.grid2)).empty());

  // The index holds the new name's grams under the new path, and nothing else.
  const std::string new_path = path_of(moves);
  std::vector<std::tuple<std::string, std::string, std::int64_t>> expected{
      {"出丙", new_path, moves}, {"迁出", new_path, moves}};
  std::vector<std::tuple<std::string, std::string, std::int64_t>> held;
  for (auto& row : gram_rows()) {
    if (std::get<2>(row) == moves) held.push_back(row);
  }
  std::ranges::sort(expected);
  std::ranges::sort(held);
  EXPECT_EQ(held, expected);

  // Deleting removes its grams by their keys.
  EXPECT_EQ(app.as("admin").del(url).status, 204);
  for (auto& row : gram_rows()) EXPECT_NE(std::get<2>(row), moves);
  EXPECT_FALSE(gram_rows().empty());
}

// The list's household address, grid name and tags come from the search
// query itself; they must be what the detail (its own statements) shows.
TEST_F(PeopleSearchApi, ListedResidentsCarryTheDetailsHouseholdGridAndTags) {
  auto tag = app.as("bachang_worker")
                 .post("/api/v1/tags", {{"name", "楼栋长"}, {"community_id", w.bachang}});
  ASSERT_EQ(tag.status, 201) << tag.body;
  EXPECT_EQ(app.as("bachang_worker")
                .post("/api/v1/tags", {{"name",
                                        "甲\x1f"
                                        "乙"},
                                       {"community_id", w.bachang}})
                .status,
            400);
  json::object b{{"household_id", w.household_of_grid.at(w.grid2)},
                 {"name", "标签王秀"},
                 {"id_number", make_id(next_seq++)},
                 {"relation", "head"},
                 {"residence_type", "registered"},
                 {"tags", json::array{"独居老人", "楼栋长", "低保"}}};
  auto made = app.as("admin").post("/api/v1/residents", b);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::int64_t tagged = made.json().at("id").as_int64();
  const std::int64_t plain = add(w.grid1, "无标签王秀");

  auto listed = app.as("bachang_worker").get("/api/v1/residents?q=" + url_encode("王秀"));
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto& items = listed.json().at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  for (const auto& item : items) {
    const std::int64_t id = item.at("id").as_int64();
    auto detail = app.as("bachang_worker").get(fmt::format("/api/v1/residents/{}", id));
    ASSERT_EQ(detail.status, 200) << detail.body;
    const json::value& d = detail.json();
    EXPECT_EQ(item.at("tags"), d.at("tags")) << id;
    EXPECT_EQ(item.at("household"), d.at("household")) << id;
    EXPECT_EQ(item.at("grid"), d.at("grid")) << id;
    EXPECT_FALSE(item.at("household").at("address").as_string().empty());
    EXPECT_FALSE(item.at("grid").at("name").as_string().empty());
  }
  EXPECT_EQ(items[0].at("id").as_int64(), std::min(tagged, plain));
  const auto& tags = (items[0].at("id").as_int64() == tagged ? items[0] : items[1]).at("tags");
  EXPECT_EQ(tags.as_array().size(), 3u);
  EXPECT_TRUE(
      (items[0].at("id").as_int64() == plain ? items[0] : items[1]).at("tags").as_array().empty());
}

// The search's SQL text is kept per server thread by the filter's shape (which
// parts it has, how many scope ranges and tags) and reused with other values:
// every shape, asked twice (built, then reused), with users of one and of
// several scope ranges, must give exactly the expected residents, and the same
// ones page by page as on one page.
TEST_F(PeopleSearchApi, EveryShapeOfSearchGivesItsResidentsWhenItsTextIsReused) {
  const Ids grids{w.grid1, w.grid2, w.grid3, w.grid4};
  std::map<std::int64_t, Ids> named, tagged;  // grid → 钱多多 ids; those also 党员
  for (int round = 0; round < 3; ++round) {
    for (std::int64_t grid : grids) {
      json::object b{{"household_id", w.household_of_grid.at(grid)},
                     {"name", "钱多多"},
                     {"id_number", make_id(next_seq++)},
                     {"relation", "head"},
                     {"residence_type", "registered"}};
      if (round != 1) b["tags"] = json::array{"党员"};
      auto res = app.as("admin").post("/api/v1/residents", b);
      ASSERT_EQ(res.status, 201) << res.body;
      named[grid].push_back(res.json().at("id").as_int64());
      if (round != 1) tagged[grid].push_back(named[grid].back());
    }
  }
  auto made = app.as("admin").post(
      "/api/v1/users",
      {{"username", "three_grants"},
       {"display_name", "三处社工"},
       {"password", Client::kPassword},
       {"roles", json::array{{{"role", "community_worker"}, {"area_id", w.bachang}},
                             {{"role", "grid_worker"}, {"area_id", w.grid4}}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::map<std::string, Ids> visible{{"admin", grids},
                                           {"bachang_worker", {w.grid1, w.grid2}},
                                           {"three_grants", {w.grid1, w.grid2, w.grid4}}};
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [user, user_grids] : visible) {
      for (bool with_tag : {false, true}) {
        for (std::int64_t area : {std::int64_t{0}, w.grid2, w.grid4}) {
          Ids expected;
          for (std::int64_t grid : user_grids) {
            if (area != 0 && grid != area) continue;
            const Ids& ids = with_tag ? tagged[grid] : named[grid];
            expected.insert(expected.end(), ids.begin(), ids.end());
          }
          std::ranges::sort(expected);
          const bool area_visible = area == 0 || std::ranges::count(user_grids, area) > 0;
          const std::string query = "q=" + url_encode("钱多多") +
                                    (with_tag ? "&tag=" + url_encode("党员") : "") +
                                    (area ? fmt::format("&area={}", area) : "");
          const std::string what = fmt::format("pass {} {} {}", pass, user, query);
          if (!area_visible) {
            auto res = app.as(user).get("/api/v1/residents?" + query);
            EXPECT_EQ(res.status, 404) << what << res.body;
            continue;
          }
          EXPECT_EQ(all_pages(user, query, 200), expected) << what;
          EXPECT_EQ(all_pages(user, query, 2), expected) << what;
        }
      }
    }
  }
  // A phone and an ID number: one resident each, in scope or not.
  const std::string id_number = make_id(next_seq++);
  json::object b{{"household_id", w.household_of_grid.at(w.grid4)},
                 {"name", "孙有号"},
                 {"id_number", id_number},
                 {"phone", "13912345678"},
                 {"relation", "head"},
                 {"residence_type", "registered"}};
  auto res = app.as("admin").post("/api/v1/residents", b);
  ASSERT_EQ(res.status, 201) << res.body;
  const Ids one{res.json().at("id").as_int64()};
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_EQ(all_pages("three_grants", "q=13912345678", 20), one);
    EXPECT_EQ(all_pages("three_grants", "q=" + id_number, 20), one);
    EXPECT_TRUE(all_pages("bachang_worker", "q=13912345678", 20).empty());
    EXPECT_EQ(all_pages("admin", "q=" + id_number, 20), one);
    EXPECT_EQ(all_pages("admin", fmt::format("q={}&area={}", id_number, w.grid4), 20), one);
    EXPECT_TRUE(all_pages("admin", fmt::format("q={}&area={}", id_number, w.grid1), 20).empty());
  }
}

// A database from before 0061 (grams keyed by gram and resident only): the
// migration keys every existing gram with its resident's path.
TEST_F(PeopleSearchApi, Migration0061KeysExistingGramsWithTheirResidentsPaths) {
  const std::int64_t a = add(w.grid1, "王秀英");
  const std::int64_t b = add(w.grid3, "王秀英");
  const std::int64_t c = add(w.grid4, "李王秀");
  const auto before = gram_rows();
  ASSERT_EQ(before.size(), 6u);

  const embedded::MigrationFile* m = nullptr;
  for (const auto& file : embedded::migration_files()) {
    if (std::string_view(file.name).starts_with("0061_")) m = &file;
  }
  ASSERT_NE(m, nullptr);
  app.app().db->write([&](db::Conn& conn) {
    conn.exec_script(
        "DROP TABLE resident_name_grams;"
        "CREATE TABLE resident_name_grams (gram TEXT NOT NULL, resident_id BIGINT NOT NULL "
        "REFERENCES residents(id) ON DELETE CASCADE, PRIMARY KEY (gram, resident_id))");
    for (const auto& [gram, path, id] : before) {
      conn.exec("INSERT INTO resident_name_grams (gram, resident_id) VALUES ($1, $2)", {gram, id});
    }
    conn.exec_script(db::render_ddl(m->sql, conn.engine()));
  });

  EXPECT_EQ(gram_rows(), before);
  for (const auto& [gram, path, id] : gram_rows()) EXPECT_EQ(path, path_of(id)) << gram;
  EXPECT_EQ(name_search("bachang_worker", "王秀英", 5), (Ids{a}));
  EXPECT_EQ(name_search("admin", "王秀", 1), (Ids{a, b, c}));
}

}  // namespace
}  // namespace cg::test

#include "app/demo.hpp"

#include <fmt/format.h>

#include <chrono>
#include <deque>
#include <future>
#include <map>
#include <random>
#include <span>

#include "app/app.hpp"
#include "core/geo.hpp"
#include "core/idcard.hpp"
#include "core/password.hpp"
#include "db/bulk.hpp"
#include "db/db.hpp"
#include "modules/auth/service.hpp"
#include "modules/cases/service.hpp"
#include "modules/org/service.hpp"
#include "modules/people/bulk.hpp"
#include "modules/people/service.hpp"
#include "modules/volunteers/service.hpp"

namespace cg {
namespace {

constexpr const char* kDemoPassword = "Demo@2026cg";
constexpr const char* kDemoResidentPhone = "13951300001";

// Surnames weighted roughly by their frequency in Jiangsu.
constexpr std::string_view kSurnames[] = {
    "王", "王", "王", "李", "李", "张", "张", "刘", "陈", "陈", "陈", "杨", "黄", "赵", "吴",
    "周", "周", "徐", "徐", "孙", "朱", "朱", "胡", "郭", "何", "高", "林", "罗", "顾", "顾",
    "沈", "施", "曹", "袁", "陆", "陆", "季", "姜", "葛", "瞿", "钱", "缪", "冯", "丁", "范"};
constexpr std::string_view kMaleChars[] = {"伟", "强", "军", "建", "国", "明", "平", "志", "华",
                                           "俊", "杰", "涛", "斌", "勇", "峰", "磊", "海", "祖",
                                           "权", "坚", "文", "松", "宇", "浩", "晨", "鑫"};
constexpr std::string_view kFemaleChars[] = {"芳", "娟", "敏", "静", "丽", "艳", "玲", "英",
                                             "红", "霞", "燕", "萍", "梅", "琴", "慧", "婷",
                                             "雪", "欣", "怡", "佳", "月", "兰", "秀", "珍"};

struct CommunitySpec {
  std::string_view name;
  int grids;
  int buildings;  // in the whole community
  int households_per_building;
};

struct StreetSpec {
  std::string_view name;
  std::vector<CommunitySpec> communities;
};

// 八厂社区 as the article counts it: 5 grids, 114 buildings, 9,000+ residents.
const std::vector<StreetSpec>& demo_streets() {
  static const std::vector<StreetSpec> streets = {
      {"新城桥街道", {{"八厂社区", 5, 114, 27}, {"文峰社区", 2, 8, 24}, {"易家桥社区", 2, 8, 24}}},
      {"秦灶街道", {{"苏阳社区", 2, 8, 20}}},
      {"小海街道", {{"星月社区", 2, 8, 20}}},
  };
  return streets;
}

const std::vector<std::string_view>& extra_community_names() {
  static const std::vector<std::string_view> names = {
      "任港社区", "丽康社区", "濠东社区",     "郭里园社区", "隆兴佳园社区", "窑墩坝社区",
      "丽都社区", "河口社区", "永和佳苑社区", "仁和社区",   "通燧社区",     "星嘉社区"};
  return names;
}

class Generator {
 public:
  Generator(App& app, const DemoOptions& options)
      : app_(app), options_(options), rng_(options.seed), now_(now_ms()) {}

  DemoSummary run(int scale) {
    auto started = std::chrono::steady_clock::now();
    auto actor = auth::system_actor();
    auto city = create_area(actor, std::nullopt, org::Level::city, "南通市", "3206");
    auto district = create_area(actor, city, org::Level::district, "崇川区", "320602");
    std::vector<StreetSpec> streets = demo_streets();
    for (int i = 1; i < scale; ++i) streets.push_back(generated_street(i));
    if (options_.bulk) start_bulk();
    for (const StreetSpec& street : streets) build_street(actor, district, street);
    if (options_.bulk) finish_bulk();
    create_accounts();
    summary_.people_seconds = seconds_since(started);
    // About 120 cases a year per community, as the articles' 民意订单 counts suggest.
    int cases = options_.cases > 0 ? options_.cases : static_cast<int>(streets.size()) * 400;
    auto cases_started = std::chrono::steady_clock::now();
    auto made = options_.bulk ? cases::seed_bulk_cases(app_, rng_(), cases)
                              : cases::seed_demo_cases(app_, rng_(), cases);
    if (!made) {
      throw std::runtime_error("demo: cases: " + made.error().detail);
    }
    summary_.cases_seconds = seconds_since(cases_started);
    summary_.cases = cases;
    // The bulk presets' volunteers: the named streets' communities and the
    // first generated street's (17), through the service as in the small demo.
    auto volunteers_started = std::chrono::steady_clock::now();
    const std::size_t volunteer_communities = options_.bulk ? 17 : 0;
    if (auto made = volunteers::seed_demo(app_, rng_(), 120, volunteer_communities); !made) {
      throw std::runtime_error("demo: volunteers: " + made.error().detail);
    }
    summary_.volunteers_seconds = seconds_since(volunteers_started);
    summary_.created = true;
    summary_.seconds = seconds_since(started);
    return summary_;
  }

 private:
  StreetSpec generated_street(int index) {
    StreetSpec s{"", {}};
    // A deque never moves its strings, so the string_views into it stay valid
    // (a vector's reallocation moved short strings and left views dangling).
    static std::deque<std::string> names;
    names.push_back(fmt::format("第{}街道", index + 1));
    s.name = names.back();
    for (std::string_view c : extra_community_names()) {
      s.communities.push_back(
          {c, options_.grids_per_community, options_.buildings_per_community, 24});
    }
    return s;
  }

  static double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  std::int64_t create_area(const auth::Actor& actor, std::optional<std::int64_t> parent,
                           org::Level level, std::string_view name,
                           std::optional<std::string> code = std::nullopt) {
    auto started = std::chrono::steady_clock::now();
    org::NewArea in{parent, level, std::string(name), std::move(code)};
    auto area = app_.org->create_area(actor, in);
    if (!area)
      throw std::runtime_error("demo: cannot create area " + std::string(name) + ": " +
                               area.error().detail);
    ++summary_.areas;
    areas_by_name_[std::string(name)] = area->id;
    if (level == org::Level::grid) grids_[area->id] = *area;
    summary_.areas_seconds += seconds_since(started);
    return area->id;
  }

  void build_street(const auth::Actor& actor, std::int64_t district, const StreetSpec& spec) {
    std::int64_t street = create_area(actor, district, org::Level::street, spec.name);
    const int street_index = streets_built_++;
    for (std::size_t ci = 0; ci < spec.communities.size(); ++ci) {
      const CommunitySpec& c = spec.communities[ci];
      std::int64_t community = create_area(actor, street, org::Level::community, c.name);
      std::vector<std::int64_t> grids;
      for (int g = 1; g <= c.grids; ++g) {
        grids.push_back(create_area(actor, community, org::Level::grid,
                                    fmt::format("{}第{}网格", c.name, chinese_number(g))));
        auto started = std::chrono::steady_clock::now();
        auto shaped = app_.org->set_boundary(
            actor, grids.back(), grid_block(street_index, static_cast<int>(ci), g - 1, c.grids));
        summary_.areas_seconds += seconds_since(started);
        if (!shaped) throw std::runtime_error("demo: boundary: " + shaped.error().detail);
      }
      if (options_.bulk) {
        for (int b = 0; b < c.buildings; ++b) {
          std::int64_t grid = grids[static_cast<std::size_t>(b) * grids.size() / c.buildings];
          populate_building_bulk(grids_.at(grid), fmt::format("{}幢", b + 1),
                                 c.households_per_building);
        }
        continue;
      }
      app_.db->write([&](db::Conn& conn) {
        for (int b = 0; b < c.buildings; ++b) {
          std::int64_t grid = grids[static_cast<std::size_t>(b) * grids.size() / c.buildings];
          populate_building(conn, grid, fmt::format("{}幢", b + 1), c.households_per_building);
        }
      });
    }
  }

  // Demo boundaries near central Nantong so the map has something to draw: each street a
  // row of community blocks (three to a row), each community cut into its grids as strips.
  static GeoArea grid_block(int street, int community, int grid, int grids) {
    constexpr double kLng0 = 120.855, kLat0 = 32.020;
    constexpr double kBlockW = 0.012, kBlockH = 0.009, kGap = 0.0006;
    const double west = kLng0 + (community % 3) * (kBlockW + kGap) + street * 3.2 * kBlockW;
    const double north = kLat0 - (community / 3) * (kBlockH + kGap);
    const double strip = kBlockW / grids;
    const double x0 = west + grid * strip, x1 = x0 + strip, y0 = north - kBlockH, y1 = north;
    return GeoArea{{GeoPolygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}}};
  }

  static std::string chinese_number(int n) {
    static constexpr std::string_view digits[] = {"零", "一", "二", "三", "四", "五",
                                                  "六", "七", "八", "九", "十"};
    return n <= 10 ? std::string(digits[n]) : std::to_string(n);
  }

  void populate_building(db::Conn& conn, std::int64_t grid, const std::string& building,
                         int households) {
    ++summary_.buildings;
    for (int h = 0; h < households; ++h) {
      int unit = h / 12 + 1, floor = (h % 12) / 2 + 1, room = floor * 100 + h % 2 + 1;
      org::Place place = app_.org->find_or_create_household(
          conn, grid, building, fmt::format("{}单元", unit), floor, std::to_string(room));
      ++summary_.households;
      populate_household(conn, place);
    }
  }

  // ---- bulk: the same buildings, households and residents, written in batches ----
  //
  // Ids are assigned here, so rows link up without RETURNING. The main thread
  // draws the residents (the random sequence is the one the service path
  // uses); a second thread validates and seals a batch (encryption and blind
  // index are the costly part) while the main thread writes the previous one.

  struct BuildingRow {
    std::int64_t id;
    const org::Area* grid;
    std::string name;
  };
  struct HouseholdRow {
    org::Place place;
    std::string unit, room;
    int floor;
  };
  struct Batch {
    std::vector<BuildingRow> buildings;
    std::vector<HouseholdRow> households;
    std::vector<people::BulkResident> residents;
  };
  struct InFlight {
    std::vector<BuildingRow> buildings;
    std::vector<HouseholdRow> households;
    std::future<Result<std::vector<people::SealedResident>>> sealed;
  };
  static constexpr std::size_t kBatchResidents = 20'000;

  void start_bulk() {
    app_.db->write([&](db::Conn& conn) {
      next_building_ = db::next_id(conn, "buildings");
      next_household_ = db::next_id(conn, "households");
      next_resident_ = db::next_id(conn, "residents");
      deferred_.emplace(conn, std::vector<std::string>{"buildings", "households", "residents",
                                                       "resident_tags", "resident_name_grams"});
    });
  }

  void populate_building_bulk(const org::Area& grid, std::string name, int households) {
    ++summary_.buildings;
    const std::int64_t building = next_building_++;
    batch_.buildings.push_back({building, &grid, std::move(name)});
    for (int h = 0; h < households; ++h) {
      int unit = h / 12 + 1, floor = (h % 12) / 2 + 1, room = floor * 100 + h % 2 + 1;
      org::Place place;
      place.household_id = next_household_++;
      place.building_id = building;
      place.grid_id = grid.id;
      place.street_id = grid.street_id;
      place.path = grid.path;
      batch_.households.push_back(
          {place, fmt::format("{}单元", unit), std::to_string(room), floor});
      ++summary_.households;
      populate_household(place);
      if (batch_.residents.size() >= kBatchResidents) ship_batch();
    }
  }

  // Starts sealing the batch drawn so far, and writes the one before meanwhile.
  void ship_batch() {
    InFlight next{std::move(batch_.buildings), std::move(batch_.households), {}};
    next.sealed = std::async(std::launch::async,
                             [&pii = *app_.pii, residents = std::move(batch_.residents),
                              now = now_] { return people::seal_residents(pii, residents, now); });
    batch_ = {};
    write_in_flight();
    in_flight_ = std::move(next);
  }

  void write_in_flight() {
    if (!in_flight_) return;
    auto sealed = in_flight_->sealed.get();
    if (!sealed) throw std::runtime_error("demo: resident: " + sealed.error().detail);
    app_.db->write([&](db::Conn& conn) {
      db::tune_for_bulk(conn);
      db::BulkInsert buildings(
          conn, "buildings",
          {"id", "grid_id", "street_id", "path", "name", "created_at", "updated_at"});
      for (const BuildingRow& b : in_flight_->buildings) {
        buildings.add({b.id, b.grid->id, b.grid->street_id, b.grid->path, b.name, now_, now_});
      }
      buildings.finish();
      db::BulkInsert households(conn, "households",
                                {"id", "building_id", "grid_id", "street_id", "path", "unit",
                                 "floor", "room", "created_at", "updated_at"});
      for (const HouseholdRow& h : in_flight_->households) {
        const org::Place& p = h.place;
        households.add({p.household_id, p.building_id, p.grid_id, p.street_id, p.path, h.unit,
                        h.floor, h.room, now_, now_});
      }
      households.finish();
      people::insert_residents(conn, *sealed);
    });
    in_flight_.reset();
  }

  void finish_bulk() {
    ship_batch();
    write_in_flight();
    app_.db->write([this](db::Conn& conn) {
      for (const char* table : {"buildings", "households", "residents"}) {
        db::sync_identity(conn, table);
      }
      deferred_->restore(conn);
    });
  }

  // One household: a single elderly person, an elderly couple, or a family.
  void populate_household(db::Conn& conn, const org::Place& place) {
    conn_ = &conn;
    populate_household(place);
    conn_ = nullptr;
  }

  void populate_household(const org::Place& place) {
    double kind = uniform();
    std::string surname(pick(kSurnames));
    if (kind < 0.04) {
      add(place, surname, random_gender(), age_between(70, 92), "head", {"独居老人"});
    } else if (kind < 0.12) {
      int age = age_between(62, 85);
      add(place, surname, "male", age, "head", {"空巢老人"});
      add(place, std::string(pick(kSurnames)), "female", age - 2, "spouse", {"空巢老人"});
    } else {
      int head_age = age_between(28, 60);
      add(place, surname, "male", head_age, "head", {});
      if (uniform() < 0.85) {
        add(place, std::string(pick(kSurnames)), "female", head_age - 2, "spouse", {});
      }
      int children = uniform() < 0.3 ? 2 : (uniform() < 0.8 ? 1 : 0);
      for (int i = 0; i < children; ++i) {
        int age = std::max(1, head_age - age_between(24, 34));
        add(place, surname, random_gender(), age, "child", {});
      }
      if (uniform() < 0.15) add(place, surname, random_gender(), head_age + 27, "parent", {});
    }
  }

  void add(const org::Place& place, const std::string& surname, const std::string& gender, int age,
           const std::string& relation, std::vector<std::string> tags) {
    people::ResidentInput in;
    in.name = surname + given_name(gender);
    in.gender = gender;
    std::string birth = birth_date(age);
    in.birth_date = birth;
    in.id_number = id_number(birth, gender);
    if (age >= 16 && uniform() < 0.92) in.phone = phone_number();
    in.relation = relation;
    double r = uniform();
    in.residence_type = r < 0.7 ? "registered" : (r < 0.9 ? "resident" : "floating");
    add_tags(tags, age, gender);
    in.tags = std::move(tags);
    // The one resident whose phone the README names, for the mobile sign-in.
    if (!demo_resident_done_ && age >= 30 && age < 60 && relation == "head") {
      in.phone = kDemoResidentPhone;
      demo_resident_done_ = true;
    }
    ++summary_.residents;
    if (options_.bulk) {
      batch_.residents.push_back({next_resident_++, place, std::move(in)});
      return;
    }
    auto id = people::create_resident(*conn_, *app_.pii, place, in, now_);
    if (!id) throw std::runtime_error("demo: resident: " + id.error().detail);
  }

  void add_tags(std::vector<std::string>& tags, int age, const std::string& gender) {
    if (age >= 18 && uniform() < 0.08) tags.push_back("党员");
    if (age >= 22 && gender == "male" && uniform() < 0.03) tags.push_back("退役军人");
    if (uniform() < 0.02) tags.push_back("残疾人");
    if (uniform() < 0.02) tags.push_back("低保");
    if (age >= 20 && age <= 45 && uniform() < 0.06) tags.push_back("新就业形态");
    if (age >= 14 && age <= 25 && uniform() < 0.01) tags.push_back("重点青少年");
  }

  std::string given_name(const std::string& gender) {
    std::span<const std::string_view> chars = gender == "male"
                                                  ? std::span<const std::string_view>(kMaleChars)
                                                  : std::span<const std::string_view>(kFemaleChars);
    std::string name(chars[index(chars.size())]);
    if (uniform() < 0.6) name += chars[index(chars.size())];
    return name;
  }

  std::string birth_date(int age) {
    int year = 2026 - age;
    int month = static_cast<int>(index(12)) + 1;
    int day = static_cast<int>(index(28)) + 1;
    return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
  }

  // A valid GB 11643 number: region, birth date, a two-digit sequence and a
  // gender digit counted per (region, birth date, gender), so never repeated.
  std::string id_number(const std::string& birth, const std::string& gender) {
    std::string region(region_codes_[index(std::size(region_codes_))]);
    std::string date = birth.substr(0, 4) + birth.substr(5, 2) + birth.substr(8, 2);
    int n = issued_[region + date + gender]++;
    int gender_digit = (n / 100 % 5) * 2 + (gender == "male" ? 1 : 0);
    std::string first17 = fmt::format("{}{}{:02d}{}", region, date, n % 100, gender_digit);
    return first17 + *id_check_digit(first17);
  }

  std::string phone_number() {
    static constexpr std::string_view prefixes[] = {"138", "139", "137", "150", "151", "152",
                                                    "157", "158", "159", "180", "181", "187",
                                                    "188", "133", "153", "177", "199"};
    return fmt::format("{}{:08d}", pick(prefixes), rng_() % 100000000);
  }

  void create_accounts() {
    std::string hash = *hash_password(kDemoPassword, app_.auth->password_cost());
    app_.db->write([&](db::Conn& conn) {
      for (const DemoAccount& a : demo_accounts()) {
        if (a.username.empty()) continue;
        auth::Role role = *auth::role_from_name(role_for(a.role_title));
        auth::NewUser user{
            a.username, a.display_name, kDemoPassword, {{role, areas_by_name_.at(a.area_name)}}};
        app_.auth->create_user_unchecked(conn, user, hash);
        ++summary_.users;
      }
    });
  }

  static std::string role_for(const std::string& title) {
    for (auth::Role r : auth::all_roles()) {
      if (auth::role_title(r) == title) return std::string(auth::role_name(r));
    }
    return "resident";
  }

  int age_between(int lo, int hi) { return lo + static_cast<int>(index(hi - lo + 1)); }
  std::string random_gender() { return uniform() < 0.5 ? "male" : "female"; }
  double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  std::size_t index(std::size_t n) { return rng_() % n; }
  template <class T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[index(N)];
  }

  App& app_;
  DemoOptions options_;
  int streets_built_ = 0;
  std::mt19937_64 rng_;
  std::int64_t now_;
  DemoSummary summary_;
  std::map<std::string, std::int64_t> areas_by_name_;
  std::map<std::int64_t, org::Area> grids_;  // never erased, so pointers into it stay valid
  db::Conn* conn_ = nullptr;                 // the service path's transaction
  std::int64_t next_building_ = 0, next_household_ = 0, next_resident_ = 0;
  Batch batch_;
  std::optional<InFlight> in_flight_;
  std::optional<db::DeferredIndexes> deferred_;  // the people tables' indexes, while filling them
  std::map<std::string, int> issued_;
  bool demo_resident_done_ = false;
  // Districts of Nantong (GB/T 2260), where residents were born.
  static constexpr std::string_view region_codes_[] = {"320602", "320611", "320612", "320623",
                                                       "320681", "320682", "320685", "320684"};
};

bool database_has_areas(App& app) {
  return app.db->read(
      [](db::Conn& c) { return c.query_one("SELECT id FROM areas LIMIT 1").has_value(); });
}

}  // namespace

DemoSummary seed_demo(App& app, const DemoOptions& options) {
  if (database_has_areas(app)) return {};
  Generator generator(app, options);
  return generator.run(options.scale);
}

std::optional<DemoOptions> demo_preset(std::string_view name) {
  DemoOptions o;
  if (name == "street") return o;  // ~11,000 residents, 1,200 cases
  if (name == "district") {        // ~500,000 residents, 100,000 cases
    o.bulk = true;
    o.scale = 15;
    o.cases = 100'000;
    return o;
  }
  if (name == "city") {  // ~13 M residents, 5 M households, 30,000 grids, 10 M cases
    o.bulk = true;
    o.scale = 500;
    o.grids_per_community = 5;
    o.buildings_per_community = 35;
    o.cases = 10'000'000;
    return o;
  }
  return std::nullopt;
}

const std::vector<DemoAccount>& demo_accounts() {
  static const std::vector<DemoAccount> accounts = {
      {"admin", "平台管理员", kDemoPassword, "平台管理员", "南通市"},
      {"xcq_admin", "姜来明", kDemoPassword, "街道管理员", "新城桥街道"},
      {"bachang_worker", "陈玲", kDemoPassword, "社区工作者", "八厂社区"},
      {"bachang_grid1", "张敏", kDemoPassword, "网格员", "八厂社区第一网格"},
      {"bachang_grid2", "顾建华", kDemoPassword, "网格员", "八厂社区第二网格"},
      {"wenfeng_worker", "施燕", kDemoPassword, "社区工作者", "文峰社区"},
      {"wuye_handler", "朱师傅（物业）", kDemoPassword, "处置人员", "八厂社区"},
      {"bachang_volunteer", "王坚", kDemoPassword, "志愿者管理员", "八厂社区"},
      {"bachang_party", "袁祖权", kDemoPassword, "党组织书记", "八厂社区"},
      {"suyang_worker", "葛丽", kDemoPassword, "社区工作者", "苏阳社区"},
  };
  return accounts;
}

void print_demo_accounts(std::ostream& out) {
  out << "\n演示账号 / demo accounts (密码 password: " << kDemoPassword << ")\n";
  for (const DemoAccount& a : demo_accounts()) {
    out << fmt::format("  {:<18} {} · {}（{}）\n", a.username, a.display_name, a.role_title,
                       a.area_name);
  }
  out << fmt::format(
      "  居民 resident: 手机号 {}，在 /m/login 获取验证码（演示环境验证码写在服务器日志中）\n",
      kDemoResidentPhone);
  out << "控制台 console: /console   手机端 mobile: /m\n\n";
}

}  // namespace cg

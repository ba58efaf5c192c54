// Demo data for the cases module: a year of cases in every status, made
// through CaseService as the system actor, with the service clock walking
// from a year ago to now, so deadlines, timelines and audit records are
// exactly what real use would leave behind.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <future>
#include <random>
#include <set>

#include "app/app.hpp"
#include "core/clock.hpp"
#include "core/image.hpp"
#include "core/pii.hpp"
#include "db/bulk.hpp"
#include "db/db.hpp"
#include "modules/cases/service.hpp"
#include "modules/cases/store.hpp"
#include "modules/files/service.hpp"

namespace cg::cases {
namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

struct Sample {
  const char* code;
  const char* title;
  const char* description;
};

// What residents and grid workers actually write about, per subcategory.
constexpr Sample kSamples[] = {
    {"GY01", "电动车充电桩坏了", "小区门口的充电桩插上没反应，晚上没法充电"},
    {"GY02", "路灯不亮", "3幢西侧路灯连续几天晚上不亮，老人走路不方便"},
    {"GY03", "井盖松动", "小区主干道上的井盖踩上去会晃，有安全隐患"},
    {"SR01", "垃圾桶满溢", "垃圾分类亭的垃圾桶满了没人清运，气味很大"},
    {"SR02", "楼道堆放杂物", "2单元楼道堆满纸箱和旧家具，影响通行"},
    {"SR04", "小广告乱贴", "单元门口贴满了开锁和疏通管道的小广告"},
    {"DL02", "共享单车乱停", "地铁口共享单车堆在盲道上"},
    {"YL03", "绿地被种菜", "小区中心绿地被人开垦种菜"},
    {"FW02", "屋顶渗水", "顶楼下雨天屋顶渗水，墙皮脱落"},
    {"JM02", "夜间施工噪声", "晚上十点以后还在施工，影响休息"},
    {"LL01", "楼上噪音扰民", "楼上邻居深夜经常拖动家具"},
    {"WY01", "电梯经常故障", "5幢电梯一周停了两次，老人被困过一次"},
    {"MS02", "独居老人需要帮助", "12幢独居老人行动不便，希望有人定期上门看看"},
    {"ZC01", "医保报销咨询", "想了解门诊慢特病医保报销需要什么材料"},
    {"AQ01", "楼道里给电瓶车充电", "有住户从家里拉线在楼道给电瓶车充电"},
    {"AQ02", "消防通道被占", "消防通道停了好几辆私家车"},
};

constexpr const char* kNames[] = {"王秀英", "李建国", "张桂兰", "刘志强", "陈玲玲",
                                  "杨明",   "赵丽华", "黄海",   "周晓燕", "吴国平"};

// How far a demo case gets, with rough real-life shares.
enum class Stop {
  reported,
  accepted,
  rejected,
  merged,
  dispatched,
  in_progress,
  handled,
  verified,
  closed,
  rated,
  reopened
};

Stop pick_stop(std::mt19937_64& rng, std::int64_t age_days) {
  // Old cases are finished; recent ones spread over the open statuses.
  std::uniform_int_distribution<int> d(0, 99);
  const int r = d(rng);
  if (age_days > 30) {
    if (r < 4) return Stop::rejected;
    if (r < 7) return Stop::merged;
    if (r < 10) return Stop::reopened;
    if (r < 20) return Stop::closed;
    return Stop::rated;
  }
  constexpr Stop open[] = {Stop::reported, Stop::accepted, Stop::dispatched, Stop::in_progress,
                           Stop::handled,  Stop::verified, Stop::closed,     Stop::rated};
  return open[r % std::size(open)];
}

ActionInput action(std::string name) {
  ActionInput in;
  in.action = std::move(name);
  return in;
}

class DemoRun {
 public:
  DemoRun(App& app, std::uint64_t seed)
      : app_(app), service_(app), rng_(seed), place_rng_(seed ^ 0x9e3779b97f4a7c15ULL) {
    service_.set_clock([this] { return clock_; });
  }

  Status run(int count) {
    auto [grids, codes] = app_.db->read([this](db::Conn& conn) {
      std::vector<std::pair<std::string, std::int64_t>> codes;
      for (const Category& c : store::categories(conn)) codes.emplace_back(c.code, c.id);
      boxes_ = store::grid_boxes(conn);
      return std::pair{store::grid_ids(conn), codes};
    });
    if (grids.empty()) return {};
    for (int variant = 0; variant < 4; ++variant) {
      auto photo = app_.files->put_photo(auth::system_actor(), after_photo(variant));
      if (!photo) return fail(photo.error());
      after_photos_.push_back(photo->id);
    }
    const std::int64_t now = now_ms();
    std::vector<std::int64_t> starts;
    // A quarter in the last month, so the open statuses are well populated.
    std::uniform_int_distribution<std::int64_t> year(now - 365 * kDay, now - kHour);
    std::uniform_int_distribution<std::int64_t> month(now - 30 * kDay, now - kHour);
    for (int i = 0; i < count; ++i) starts.push_back(i % 4 == 0 ? month(rng_) : year(rng_));
    std::ranges::sort(starts);  // ids grow with time, as in real use
    std::optional<std::int64_t> previous;
    for (std::int64_t start : starts) {
      clock_ = start;
      auto id = file(grids, codes);
      if (!id) return fail(id.error());
      const Stop stop = pick_stop(rng_, (now - start) / kDay);
      if (auto ok = walk(*id, stop, previous, now); !ok) return ok;
      previous = *id;
    }
    app_.db->write([](db::Conn& conn) { store::rebuild_rollups(conn); });
    return {};
  }

 private:
  Result<std::int64_t> file(const std::vector<std::int64_t>& grids,
                            const std::vector<std::pair<std::string, std::int64_t>>& codes) {
    const Sample& s = kSamples[rng_() % std::size(kSamples)];
    NewCase in;
    in.title = s.title;
    in.description = s.description;
    in.grid_id = grids[rng_() % grids.size()];
    for (const auto& [code, id] : codes)
      if (code == s.code) in.category_id = id;
    constexpr const char* sources[] = {"hotline_12345", "walk_in", "grid_patrol", "council"};
    in.source = sources[rng_() % std::size(sources)];
    in.reporter_name = kNames[rng_() % std::size(kNames)];
    in.reporter_phone = fmt::format("139{:08}", rng_() % 100'000'000);
    in.priority = rng_() % 10 == 0 ? "urgent" : "normal";
    in.address = fmt::format("{}幢{}单元", 1 + rng_() % 20, 1 + rng_() % 4);
    place(in);
    auto made = service_.create(auth::system_actor(), in, "", "");
    if (!made) return fail(made.error());
    return made->detail.item.id;
  }

  // A point inside the grid's box (away from its edges) when the grid has a boundary, so the
  // map shows the demo cases. Drawn from its own generator: the rest of the year stays as it was.
  void place(NewCase& in) {
    auto box = boxes_.find(*in.grid_id);
    if (box == boxes_.end()) return;
    std::uniform_real_distribution<double> u(0.15, 0.85);
    const GeoBox& b = box->second;
    in.lng = b.min_lng + u(place_rng_) * (b.max_lng - b.min_lng);
    in.lat = b.min_lat + u(place_rng_) * (b.max_lat - b.min_lat);
  }

  // Runs `in` a few working hours after the previous step, never past `limit`.
  Status step(std::int64_t id, ActionInput in, std::int64_t limit) {
    clock_ = std::min(clock_ + static_cast<std::int64_t>(1 + rng_() % 20) * kHour, limit);
    auto done = service_.act(auth::system_actor(), id, in);
    if (!done) return fail(done.error());
    return {};
  }

  Status walk(std::int64_t id, Stop stop, std::optional<std::int64_t> previous,
              std::int64_t limit) {
    if (stop == Stop::reported) return {};
    if (stop == Stop::rejected) {
      ActionInput in = action("reject");
      in.reason = "不属于社区受理范围，已告知反映人向相关部门咨询";
      return step(id, in, limit);
    }
    if (stop == Stop::merged && previous) {
      ActionInput in = action("merge");
      in.into_case_id = previous;
      // The previous case may itself be merged or rejected: then this one
      // simply waits to be accepted.
      (void)step(id, in, limit);
      return {};
    }
    std::vector<ActionInput> plan;
    plan.push_back(action("accept"));
    ActionInput dispatch = action("dispatch");
    dispatch.note = "请按时限处置并反馈";
    plan.push_back(dispatch);
    plan.push_back(action("start"));
    ActionInput handle = action("handle");
    handle.note = "已到现场处置完毕";
    handle.photo_ids = {after_photos_[rng_() % after_photos_.size()]};
    plan.push_back(handle);
    ActionInput verify = action("verify");
    verify.passed = rng_() % 8 != 0;
    plan.push_back(verify);
    const std::size_t upto = stop == Stop::accepted      ? 1
                             : stop == Stop::dispatched  ? 2
                             : stop == Stop::in_progress ? 3
                             : stop == Stop::handled     ? 4
                                                         : 5;
    for (std::size_t i = 0; i < upto; ++i) {
      if (auto ok = step(id, plan[i], limit); !ok) return ok;
    }
    if (upto < 5) return {};
    if (!*verify.passed) {  // rework, then it passes
      for (std::size_t i = 2; i < 4; ++i)
        if (auto ok = step(id, plan[i], limit); !ok) return ok;
      verify.passed = true;
      if (auto ok = step(id, verify, limit); !ok) return ok;
    }
    if (stop == Stop::verified) return {};
    if (auto ok = step(id, action("close"), limit); !ok) return ok;
    if (stop == Stop::closed) return {};
    ActionInput rate = action("rate");
    // Dissatisfied ratings come only from the `reopened` stop (about 3 % of old
    // cases), so the demo's satisfaction rate looks like the articles' communities.
    constexpr const char* ratings[] = {"satisfied", "satisfied", "satisfied",
                                       "satisfied", "satisfied", "basically_satisfied"};
    rate.rating = stop == Stop::reopened ? "dissatisfied" : ratings[rng_() % std::size(ratings)];
    rate.note = "回访记录";
    return step(id, rate, limit);
  }

 public:
  // A plain picture (sky over a grey street, in one of a few tints) for the
  // handlers' "after" photos: real PNG bytes, stored once by content hash.
  static std::string after_photo(int variant) {
    constexpr int kWidth = 320, kHeight = 240;
    std::string rgb;
    rgb.reserve(kWidth * kHeight * 3);
    for (int y = 0; y < kHeight; ++y) {
      for (int x = 0; x < kWidth; ++x) {
        const bool sky = y < kHeight / 2;
        const int shade = sky ? 150 + y / 2 : 90 + (x + y) % 24;
        rgb.push_back(static_cast<char>(sky ? shade - 40 : shade));
        rgb.push_back(static_cast<char>(sky ? shade + 20 - variant * 10 : shade));
        rgb.push_back(static_cast<char>(sky ? 235 - variant * 15 : shade + variant * 6));
      }
    }
    return encode_png_rgb(kWidth, kHeight, rgb);
  }

 private:
  App& app_;
  CaseService service_;
  std::vector<std::string> after_photos_;
  std::mt19937_64 rng_;
  std::mt19937_64 place_rng_;
  std::map<std::int64_t, GeoBox> boxes_;
  std::int64_t clock_ = 0;
};

// ---- bulk: the same year, walked in memory ------------------------------------------
//
// Each case takes the steps DemoRun takes through CaseService, but the effects of
// each step are computed here with the service's own rules (detail:: in
// service.hpp: deadlines on the working-day calendar, bigrams, the warning) and
// the rows are written in batches. Kept in step with CaseService::act for the
// actions the demo uses: accept, reject, merge, dispatch, start, handle, verify,
// close, rate.

namespace json = boost::json;

struct BulkEvent {
  std::int64_t case_id;
  std::int64_t street_id;
  Event e;
};

struct BulkCase {
  Case c;
  store::SealedPhone phone;
  std::size_t sample;  // index into kSamples, for its bigrams
};

struct BulkChunk {
  std::vector<BulkCase> cases;
  std::vector<BulkEvent> events;
  std::vector<std::tuple<std::int64_t, std::string, std::int64_t>> photos;  // case, file, at
};

class BulkRun {
 public:
  BulkRun(App& app, std::uint64_t seed)
      : app_(app), service_(app), rng_(seed), place_rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

  Status run(int count) {
    app_.db->read([this](db::Conn& conn) {
      for (const Category& c : store::categories(conn)) categories_[c.code] = c;
      grids_ = store::grid_refs(conn);
      boxes_ = store::grid_boxes(conn);
      counters_ = store::counters(conn);
      next_id_ = db::next_id(conn, "cases");
    });
    if (grids_.empty()) return {};
    for (int variant = 0; variant < 4; ++variant) {
      auto photo = app_.files->put_photo(auth::system_actor(), DemoRun::after_photo(variant));
      if (!photo) return fail(photo.error());
      after_photos_.push_back(photo->id);
    }
    for (const Sample& s : kSamples) {
      Case c;
      c.title = s.title;
      c.description = s.description;
      grams_.push_back(detail::grams_of(c));
      documents_.push_back(store::search_document(grams_.back()));
    }
    cal_ = service_.calendar();
    system_ = auth::system_actor();
    now_ = now_ms();
    std::uniform_int_distribution<std::int64_t> year(now_ - 365 * kDay, now_ - kHour);
    std::uniform_int_distribution<std::int64_t> month(now_ - 30 * kDay, now_ - kHour);
    for (int i = 0; i < count; ++i) starts_.push_back(i % 4 == 0 ? month(rng_) : year(rng_));
    std::ranges::sort(starts_);
    // One thread walks the next chunk while this one writes the last.
    constexpr std::size_t kChunk = 4000;
    auto walk_chunk = [this](std::size_t from) {
      return std::async(std::launch::async, [this, from] { return simulate(from, kChunk); });
    };
    std::future<BulkChunk> next = walk_chunk(0);
    for (std::size_t from = 0; from < starts_.size(); from += kChunk) {
      BulkChunk chunk = next.get();
      if (from + kChunk < starts_.size()) next = walk_chunk(from + kChunk);
      write(chunk);
    }
    app_.db->write([this](db::Conn& conn) {
      store::put_counters(conn, counters_);
      db::sync_identity(conn, "cases");
    });
    return {};
  }

 private:
  BulkChunk simulate(std::size_t from, std::size_t n) {
    BulkChunk out;
    for (std::size_t i = from; i < std::min(from + n, starts_.size()); ++i) {
      clock_ = starts_[i];
      Case c = file(out);
      const Stop stop = pick_stop(rng_, (now_ - starts_[i]) / kDay);
      walk(c, stop, out);
      if (c.version > 1) c.warning = detail::deadline_info(*cal_, c, c.updated_at).warning;
      if (store::is_running(c.status)) {
        if (auto escalated = CaseService::catch_up_supervision(*cal_, c, now_)) {
          out.events.push_back({c.id, c.street_id, std::move(*escalated)});
        }
      }
      previous_ = Previous{c.id, c.number, c.status};
      out.cases.back().c = std::move(c);
    }
    return out;
  }

  Case file(BulkChunk& out) {
    const std::size_t sample = rng_() % std::size(kSamples);
    const Sample& s = kSamples[sample];
    const store::GridRef& grid = grids_[rng_() % grids_.size()];
    const Category& cat = categories_.at(s.code);
    constexpr const char* sources[] = {"hotline_12345", "walk_in", "grid_patrol", "council"};
    const std::int64_t now = clock_;
    Case c;
    c.id = next_id_++;
    c.street_id = grid.street_id;
    c.path = grid.path;
    c.grid_id = grid.id;
    c.category_id = cat.id;
    c.title = s.title;
    c.description = s.description;
    c.source = sources[rng_() % std::size(sources)];
    c.reporter_name = kNames[rng_() % std::size(kNames)];
    const std::string phone = fmt::format("139{:08}", rng_() % 100'000'000);
    c.priority = rng_() % 10 == 0 ? "urgent" : "normal";
    c.address = fmt::format("{}幢{}单元", 1 + rng_() % 20, 1 + rng_() % 4);
    if (auto box = boxes_.find(c.grid_id); box != boxes_.end()) {
      std::uniform_real_distribution<double> u(0.15, 0.85);
      const GeoBox& b = box->second;
      c.lng = b.min_lng + u(place_rng_) * (b.max_lng - b.min_lng);
      c.lat = b.min_lat + u(place_rng_) * (b.max_lat - b.min_lat);
    }
    c.status = "reported";
    c.level = cat.level;
    c.accept_deadline = cal_->add_working_minutes(now, cat.accept_hours * 60);
    c.handle_deadline = detail::handle_deadline(*cal_, cat, now);
    c.clock_start = now;
    c.created_at = c.updated_at = now;
    const std::string day = format_date(cal_->local_date(now));
    const std::string compact = day.substr(0, 4) + day.substr(5, 2) + day.substr(8, 2);
    c.number = fmt::format("MQ{}-{:04}", compact, ++counters_[{c.street_id, compact}]);
    c.reporter_phone_masked = mask_phone(phone);
    store::SealedPhone sealed{db::Blob{app_.pii->encrypt(phone)}, c.reporter_phone_masked};
    handle_photos_.clear();
    json::object data{{"number", c.number}, {"source", c.source}, {"category_id", c.category_id}};
    add_event(out, c, now, "create", "", "reported", c.title, data);
    out.cases.push_back({c, std::move(sealed), sample});
    return c;
  }

  void add_event(BulkChunk& out, const Case& c, std::int64_t at, std::string action,
                 std::string from, std::string to, std::string note, const json::object& data) {
    out.events.push_back(
        {c.id, c.street_id,
         Event{0, at, detail::user_or_none(system_.who), detail::actor_name(system_.who),
               "platform_admin", std::move(action), std::move(from), std::move(to), std::move(note),
               json::serialize(data)}});
  }

  // One action at a few working hours after the previous, as CaseService::act would do it.
  void step(Case& c, BulkChunk& out, std::string_view action, const std::string& note,
            json::object data, std::optional<bool> passed = std::nullopt,
            std::optional<std::string> rating = std::nullopt) {
    clock_ = std::min(clock_ + static_cast<std::int64_t>(1 + rng_() % 20) * kHour, now_);
    const std::int64_t now = clock_;
    const Category& cat = category_of(c);
    const std::string from = c.status;
    if (action == "accept") {
      c.status = "accepted";
      c.clock_start = now;
    } else if (action == "reject") {
      c.status = "rejected";
      c.closed_at = now;
    } else if (action == "merge") {
      c.status = "merged";
      c.merged_into = previous_->id;
      c.closed_at = now;
      data["into_case_id"] = previous_->id;
      data["into_number"] = previous_->number;
    } else if (action == "dispatch") {
      c.status = "dispatched";
      c.handler_user_id = std::nullopt;
      c.handler_unit = cat.handler_unit;
      c.handle_deadline = detail::handle_deadline(*cal_, cat, now);
      c.clock_start = now;
      c.dispatched_at = now;
      data["handler_unit"] = c.handler_unit;
      data["deadline"] = *c.handle_deadline;
    } else if (action == "start") {
      c.status = "in_progress";
    } else if (action == "handle") {
      c.status = "handled";
      c.handling_minutes =
          cal_->working_minutes_between(c.dispatched_at.value_or(c.clock_start), now);
    } else if (action == "verify") {
      data["passed"] = *passed;
      if (*passed) {
        c.status = "verified";
      } else {
        c.status = "dispatched";
        c.rework_count += 1;
        c.handle_deadline = detail::handle_deadline(*cal_, cat, now);
        c.clock_start = now;
        data["rework_count"] = c.rework_count;
      }
    } else if (action == "close") {
      c.status = "closed";
      c.closed_at = now;
      c.rating = std::nullopt;
      c.rating_comment.clear();
    } else if (action == "rate") {
      c.rating = rating;
      c.rating_comment = note;
      data["rating"] = *rating;
      if (*rating == "dissatisfied" && c.reopen_count == 0) {
        c.status = "reopened";
        c.reopen_count += 1;
        c.closed_at = std::nullopt;
        c.accept_deadline = cal_->add_working_minutes(now, cat.accept_hours * 60);
        c.clock_start = now;
      }
    }
    if (action == "handle") {
      const std::string& photo = after_photos_[rng_() % after_photos_.size()];
      // A rework may show the same picture again: the case lists it once.
      if (handle_photos_.insert(photo).second) out.photos.emplace_back(c.id, photo, now);
      data["photo_ids"] = json::array{json::value(photo)};
    }
    c.version += 1;
    c.updated_at = now;
    add_event(out, c, now, std::string(action), from, c.status, note, data);
  }

  const Category& category_of(const Case& c) const {
    for (const auto& [code, cat] : categories_)
      if (cat.id == c.category_id) return cat;
    throw std::logic_error("demo: category");  // file() took it from categories_
  }

  void walk(Case& c, Stop stop, BulkChunk& out) {
    if (stop == Stop::reported) return;
    if (stop == Stop::rejected) {
      step(c, out, "reject", "", {{"reason", "不属于社区受理范围，已告知反映人向相关部门咨询"}});
      return;
    }
    if (stop == Stop::merged && previous_) {
      // Merging into a case that is itself merged or rejected is refused: this one waits.
      if (previous_->status == "merged" || previous_->status == "rejected") {
        clock_ += static_cast<std::int64_t>(1 + rng_() % 20) * kHour;
        return;
      }
      step(c, out, "merge", "", {});
      return;
    }
    const bool passes = rng_() % 8 != 0;
    const std::size_t upto = stop == Stop::accepted      ? 1
                             : stop == Stop::dispatched  ? 2
                             : stop == Stop::in_progress ? 3
                             : stop == Stop::handled     ? 4
                                                         : 5;
    auto plan = [&](std::size_t i, std::optional<bool> passed) {
      switch (i) {
        case 0:
          return step(c, out, "accept", "", {});
        case 1:
          return step(c, out, "dispatch", "请按时限处置并反馈", {});
        case 2:
          return step(c, out, "start", "", {});
        case 3:
          return step(c, out, "handle", "已到现场处置完毕", {});
        default:
          return step(c, out, "verify", "", {}, passed);
      }
    };
    for (std::size_t i = 0; i < upto; ++i) plan(i, passes);
    if (upto < 5) return;
    if (!passes) {  // rework, then it passes
      plan(2, true);
      plan(3, true);
      plan(4, true);
    }
    if (stop == Stop::verified) return;
    step(c, out, "close", "", {});
    if (stop == Stop::closed) return;
    constexpr const char* ratings[] = {"satisfied", "satisfied", "satisfied",
                                       "satisfied", "satisfied", "basically_satisfied"};
    std::string rating =
        stop == Stop::reopened ? "dissatisfied" : ratings[rng_() % std::size(ratings)];
    step(c, out, "rate", "回访记录", {}, std::nullopt, rating);
  }

  void write(const BulkChunk& chunk) {
    app_.db->write([&](db::Conn& conn) {
      db::tune_for_bulk(conn);
      db::BulkInsert cases(conn, "cases",
                           {"id",
                            "number",
                            "street_id",
                            "path",
                            "grid_id",
                            "building_id",
                            "category_id",
                            "title",
                            "description",
                            "source",
                            "reporter_user_id",
                            "reporter_name",
                            "reporter_phone_enc",
                            "reporter_phone_masked",
                            "address",
                            "lat",
                            "lng",
                            "priority",
                            "status",
                            "level",
                            "handler_unit",
                            "handler_user_id",
                            "accept_deadline",
                            "handle_deadline",
                            "clock_start",
                            "extension_minutes",
                            "extension_reason",
                            "rework_count",
                            "reopen_count",
                            "rating",
                            "rating_comment",
                            "merged_into",
                            "version",
                            "created_at",
                            "updated_at",
                            "closed_at",
                            "warning",
                            "escalated_at",
                            "dispatched_at",
                            "handling_minutes",
                            "supervise_at"});
      for (const auto& [c, phone, sample] : chunk.cases) {
        cases.add({c.id,
                   c.number,
                   c.street_id,
                   c.path,
                   c.grid_id,
                   c.building_id,
                   c.category_id,
                   c.title,
                   c.description,
                   c.source,
                   c.reporter_user_id,
                   c.reporter_name,
                   phone.enc,
                   phone.masked,
                   c.address,
                   c.lat,
                   c.lng,
                   c.priority,
                   c.status,
                   c.level,
                   c.handler_unit,
                   c.handler_user_id,
                   c.accept_deadline,
                   c.handle_deadline,
                   c.clock_start,
                   c.extension_minutes,
                   c.extension_reason,
                   c.rework_count,
                   c.reopen_count,
                   c.rating,
                   c.rating_comment,
                   c.merged_into,
                   c.version,
                   c.created_at,
                   c.updated_at,
                   c.closed_at,
                   c.warning,
                   c.escalated_at,
                   c.dispatched_at,
                   c.handling_minutes,
                   c.supervise_at});
      }
      cases.finish();
      db::BulkInsert events(conn, "case_events",
                            {"case_id", "street_id", "at", "actor_id", "actor_name", "role",
                             "action", "from_status", "to_status", "note", "data"});
      for (const BulkEvent& b : chunk.events) {
        const Event& e = b.e;
        events.add({b.case_id, b.street_id, e.at, e.actor_id, e.actor_name, e.role, e.action,
                    e.from_status, e.to_status, e.note, e.data});
      }
      events.finish();
      db::BulkInsert grams = store::bulk_grams(conn);
      for (const BulkCase& b : chunk.cases) {
        if (!grams_[b.sample].empty()) grams.add({b.c.id, documents_[b.sample]});
      }
      grams.finish();
      db::BulkInsert photos(conn, "case_photos", {"case_id", "file_id", "stage", "at"});
      for (const auto& [id, file, at] : chunk.photos) photos.add({id, file, "handle", at});
      photos.finish();
    });
  }

  struct Previous {
    std::int64_t id;
    std::string number;
    std::string status;
  };

  App& app_;
  CaseService service_;
  std::mt19937_64 rng_;
  std::mt19937_64 place_rng_;
  std::map<std::string, Category> categories_;
  std::vector<store::GridRef> grids_;
  std::map<std::int64_t, GeoBox> boxes_;
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> counters_;
  std::vector<std::string> after_photos_;
  std::vector<std::vector<std::string>> grams_;  // per sample
  std::vector<std::string> documents_;           // per sample: its search document
  std::set<std::string> handle_photos_;          // of the case being walked
  std::shared_ptr<const WorkCalendar> cal_;
  auth::Actor system_;
  std::vector<std::int64_t> starts_;
  std::optional<Previous> previous_;
  std::int64_t next_id_ = 1;
  std::int64_t now_ = 0;
  std::int64_t clock_ = 0;
};

}  // namespace

Status seed_demo_cases(App& app, std::uint64_t seed, int count) {
  return DemoRun(app, seed).run(count);
}

Status seed_bulk_cases(App& app, std::uint64_t seed, int count) {
  std::optional<db::DeferredIndexes> deferred;
  app.db->write([&](db::Conn& conn) {
    deferred.emplace(conn, std::vector<std::string>{"cases", "case_events", "case_photos"});
  });
  if (auto made = BulkRun(app, seed).run(count); !made) return made;
  // Two transactions: the rebuilt indexes are gigabytes of WAL on `city`, and
  // until they are committed and checkpointed every page the rollups read
  // would be looked up in that WAL's index first (a third of the time).
  app.db->write([&](db::Conn& conn) { deferred->restore(conn); });
  // Bulk rows bypass the store's writes that keep the indicator rollups.
  app.db->write([](db::Conn& conn) { store::rebuild_rollups(conn); });
  return {};
}

}  // namespace cg::cases

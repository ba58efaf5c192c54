// Demo data for the cases module: a year of cases in every status, made
// through CaseService as the system actor, with the service clock walking
// from a year ago to now, so deadlines, timelines and audit records are
// exactly what real use would leave behind.
#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "app/app.hpp"
#include "core/clock.hpp"
#include "core/image.hpp"
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

  App& app_;
  CaseService service_;
  std::vector<std::string> after_photos_;
  std::mt19937_64 rng_;
  std::mt19937_64 place_rng_;
  std::map<std::int64_t, GeoBox> boxes_;
  std::int64_t clock_ = 0;
};

}  // namespace

Status seed_demo_cases(App& app, std::uint64_t seed, int count) {
  return DemoRun(app, seed).run(count);
}

}  // namespace cg::cases

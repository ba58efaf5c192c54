// Demo data for the volunteers module: in every community three teams
// (志愿服务队, 先锋队, 银发志愿队) of volunteers drawn from the residents, a
// year of activities in every status with sign-ups, QR and manual check-ins,
// verified hours and points, gift shops with stock and redemptions, and a few
// certificates. Everything goes through VolunteerService (organizers as the
// system actor, volunteers as themselves) with the service clock walking
// through the year, so the ledger, notices and audit records are what real
// use would leave behind. Deterministic for a seed, apart from the pick-up
// codes and certificate numbers, which the service draws from the OS.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <map>
#include <random>

#include "app/app.hpp"
#include "core/clock.hpp"
#include "core/pii.hpp"
#include "db/db.hpp"
#include "modules/auth/service.hpp"
#include "modules/volunteers/service.hpp"
#include "modules/volunteers/store.hpp"

namespace cg::volunteers {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kCst = 8 * kHour;

enum TeamKind { kGeneral = 0, kVanguard = 1, kSilver = 2 };

constexpr const char* kTeamSuffix[] = {"志愿服务队", "先锋队", "银发志愿队"};
constexpr const char* kTeamAbout[] = {
    "社区志愿服务的主力队伍，环境整治、垃圾分类、文明劝导都有他们的身影",
    "党员志愿者亮身份、当先锋，哪里有急难险重哪里就有先锋队",
    "退休老同志发挥余热，结对关爱独居老人，调解邻里纠纷"};

struct Kind {
  const char* title;
  const char* content;
  const char* venue;  // after the community's name
  int team;
  int hours;
  int capacity;
  int points_per_hour;
};

// What communities in the articles actually organize.
constexpr Kind kKinds[] = {
    {"楼道环境清理", "清理楼道堆物和小广告，疏通消防通道", "小区各楼道", kGeneral, 2, 12, 10},
    {"垃圾分类督导", "早高峰在分类亭引导居民正确投放，记录桶边问题", "垃圾分类亭", kGeneral, 2, 8,
     10},
    {"文明交通劝导", "在路口劝导电动车戴头盔、不闯红灯", "东门路口", kGeneral, 2, 6, 10},
    {"反诈宣传进小区", "发放反诈宣传册，帮居民安装国家反诈中心APP", "党群服务中心广场", kVanguard,
     3, 10, 10},
    {"消防安全隐患排查", "入户检查楼道电动车充电、煤气罐和安全出口", "党群服务中心", kVanguard, 3,
     8, 12},
    {"党员先锋岗·夜间巡逻", "戴红袖章沿小区主干道巡逻，发现问题随手拍上报", "社区警务室", kVanguard,
     2, 6, 10},
    {"独居老人上门探访", "两人一组上门陪聊，查看水电煤安全，记录老人需求", "党群服务中心", kSilver,
     3, 10, 10},
    {"爱心义剪", "为行动不便的老人免费理发", "居民活动室", kSilver, 3, 6, 10},
    {"助老食堂帮厨", "协助温情餐桌备餐、送餐上门", "温情餐桌助老食堂", kSilver, 4, 6, 10},
    {"四点半课堂", "放学后陪孩子写作业、读绘本", "城市书房", kGeneral, 2, 6, 10},
    {"家电义务维修", "修理小家电、更换灯泡和水龙头", "党群服务中心广场", kGeneral, 3, 6, 12},
    {"防汛值守", "汛期巡查低洼地段和地下车库，协助转移物资", "社区防汛物资仓库", kVanguard, 4, 8,
     12},
};

struct GiftSpec {
  const char* name;
  const char* description;
  std::int64_t price, stock;
};

constexpr GiftSpec kGifts[] = {
    {"洗衣液", "2kg 装，爱心超市提供", 80, 30},
    {"大米", "5kg 装东北大米", 150, 20},
    {"毛巾两条装", "纯棉毛巾", 50, 40},
    {"保温杯", "500ml 不锈钢保温杯", 120, 15},
    {"理发券", "社区合作理发店，可用一次", 30, 50},
    {"电影票", "万达影城通兑券", 200, 0},
};

constexpr const char* kSkills[] = {"电工", "理发", "医护", "法律咨询", "心理疏导",
                                   "摄影", "驾驶", "书法", "辅导作业"};

constexpr const char* kTimes[] = {"工作日晚上", "周末全天", "工作日白天", "周末上午", "随时可以"};

// Community centre of 八厂社区 (Nantong) and a few hundred metres around it.
constexpr double kLat = 32.0107, kLng = 120.8644;

struct Member {
  std::int64_t volunteer_id = 0;
  auth::Actor actor;
  int age = 40;
  double zeal = 0.5;  // how often they sign up: a few regulars do most of the work
  std::vector<int> teams;
};

struct Community {
  store::AreaBrief area;
  std::int64_t team_ids[3] = {0, 0, 0};
  std::vector<Member> members;
  std::vector<std::int64_t> gift_ids;
  double lat = kLat, lng = kLng;
};

struct Plan {
  std::size_t community = 0;
  const Kind* kind = nullptr;
  std::int64_t start = 0, end = 0;
  bool cancel = false, draft = false;
};

class DemoRun {
 public:
  DemoRun(App& app, std::uint64_t seed, int per_year, std::size_t max_communities)
      : app_(app),
        service_(app, qr_key()),
        rng_(seed),
        now_(now_ms()),
        per_year_(per_year),
        max_communities_(max_communities) {
    service_.set_clock([this] { return clock_; });
  }

  Status run() {
    clock_ = now_ - 380 * kDay;
    load();
    if (communities_.empty()) return {};
    for (std::size_t c = 0; c < communities_.size(); ++c) {
      if (auto ok = build_community(c); !ok) return ok;
    }
    std::vector<Plan> plans = plan_year();
    for (const Plan& p : plans) {
      if (auto ok = hold(p); !ok) return ok;
    }
    return recognise();
  }

 private:
  static PiiKey qr_key() {
    // The demo never shows its tokens to anyone: a throwaway key signs them.
    PiiKey key{};
    randombytes_buf(key.data(), key.size());
    return key;
  }

  void load() {
    app_.db->read([&](db::Conn& conn) {
      for (const store::AreaBrief& a : store::communities(conn)) {
        Community c;
        c.area = a;
        if (max_communities_ == 0 || communities_.size() < max_communities_)
          communities_.push_back(std::move(c));
      }
      if (auto id = store::user_id_by_username(conn, "bachang_volunteer"))
        wang_jian_ = store::principal_of_user(conn, *id);
    });
  }

  bool is_bachang(std::size_t c) const { return communities_[c].area.name == "八厂社区"; }

  // ---- people ----

  Status build_community(std::size_t index) {
    Community& c = communities_[index];
    c.lat = kLat + 0.01 * static_cast<double>(index);
    c.lng = kLng + 0.008 * static_cast<double>(index);
    const auth::Actor system = auth::system_actor();
    for (int k = 0; k < 3; ++k) {
      NewTeam t{c.area.name.substr(0, c.area.name.size() - 6) + kTeamSuffix[k],
                k == kVanguard ? "party_branch" : "community", c.area.id, kTeamAbout[k]};
      auto made = service_.create_team(system, t);
      if (!made) return fail(made.error());
      c.team_ids[k] = made->id;
    }
    auto residents = app_.db->read([&](db::Conn& conn) {
      return store::residents_with_phone(conn, {c.area.path, auth::subtree_end(c.area.path)});
    });
    // Some residents are left to have applied and still be waiting.
    const int wanted =
        std::min(is_bachang(index) ? 90 : 20, static_cast<int>(residents.size()) * 4 / 5);
    std::ranges::shuffle(residents, rng_);
    int made = 0, pending = 0;
    const bool bachang = is_bachang(index);
    for (const store::DemoResident& r : residents) {
      const int age = r.birth_date.size() >= 4 ? 2026 - std::stoi(r.birth_date.substr(0, 4)) : 40;
      if (age < 18 || age > 78) continue;
      auto phone = app_.pii->decrypt(r.phone_enc);
      if (!phone) continue;
      // The README's demo resident serves in 八厂社区 with a real record.
      const bool demo_resident = *phone == "13951300001";
      if (made >= wanted && !demo_resident && pending >= 4) continue;
      auto actor = resident_actor(*phone);
      if (!actor) continue;
      if (made >= wanted && !demo_resident) {
        if (auto ok = register_only(*actor, pending == 3); !ok) return ok;
        ++pending;
        continue;
      }
      auto m = enlist(c, *actor, age);
      if (!m) return fail(m.error());
      ++made;
      // 王坚 (staff, volunteer manager) is "编号85号" in the article.
      if (bachang && numbers_ == 84 && wang_jian_) {
        auto w = enlist(c, auth::Actor{*wang_jian_, "local", "demo"}, 52);
        if (!w) return fail(w.error());
      }
    }
    return {};
  }

  std::optional<auth::Actor> resident_actor(const std::string& phone) {
    return app_.db->write([&](db::Conn& conn) -> std::optional<auth::Actor> {
      const std::int64_t user = app_.auth->phone_account_unchecked(conn, phone, clock_);
      auto p = store::principal_of_user(conn, user);
      if (!p || p->grants.empty()) return std::nullopt;
      return auth::Actor{*p, "local", "demo"};
    });
  }

  Registration registration() {
    Registration r;
    const std::size_t n = rng_() % 3;
    for (std::size_t i = 0; i < n; ++i) {
      std::string s = kSkills[rng_() % std::size(kSkills)];
      if (std::ranges::find(r.skills, s) == r.skills.end()) r.skills.push_back(s);
    }
    r.available_times = kTimes[rng_() % std::size(kTimes)];
    return r;
  }

  // A registration still waiting for the manager (or, once, turned down).
  Status register_only(const auth::Actor& actor, bool reject) {
    clock_ = now_ - static_cast<std::int64_t>(1 + rng_() % 10) * kDay;
    auto v = service_.register_me(actor, registration());
    if (!v) return fail(v.error());
    if (!reject) return {};
    auto d = service_.decide(auth::system_actor(), v->id, false,
                             "未提供有效联系方式，请到社区服务中心现场登记");
    return d ? Status{} : fail(d.error());
  }

  Result<std::int64_t> enlist(Community& c, const auth::Actor& actor, int age) {
    // Registered over the first months: the team grew "from 20 to 272".
    clock_ = now_ - 380 * kDay + static_cast<std::int64_t>(rng_() % 20) * kDay;
    auto v = service_.register_me(actor, registration());
    if (!v) return fail(v.error());
    clock_ += kDay;
    auto ok = service_.decide(auth::system_actor(), v->id, true, "");
    if (!ok) return fail(ok.error());
    ++numbers_;
    Member m{v->id, actor, age, 0.2 + 0.8 * uniform(), {kGeneral}};
    if (rng_() % 100 < 15 || actor.who.kind == "staff") m.zeal = 4;  // the regulars
    if (rng_() % 10 < 3 || actor.who.kind == "staff") m.teams.push_back(kVanguard);
    if (age >= 58) m.teams.push_back(kSilver);
    for (int t : m.teams) {
      const bool leader = c.members.empty() || (t != kGeneral && leader_missing(c, t));
      auto put = service_.put_member(auth::system_actor(), c.team_ids[t], v->id,
                                     leader ? "leader" : "member");
      if (!put) return fail(put.error());
    }
    c.members.push_back(std::move(m));
    return v->id;
  }

  bool leader_missing(const Community& c, int team) const {
    return std::ranges::none_of(c.members, [&](const Member& m) {
      return std::ranges::find(m.teams, team) != m.teams.end();
    });
  }

  // ---- the year ----

  // Local (China Standard Time) midnight `days_ago` days before today.
  std::int64_t cst_midnight(std::int64_t days_ago) const {
    const std::int64_t today = (now_ + kCst) / kDay * kDay - kCst;
    return today - days_ago * kDay;
  }

  std::vector<Plan> plan_year() {
    static constexpr int kStartHours[] = {8, 9, 14, 15, 19};
    std::vector<Plan> plans;
    for (std::size_t c = 0; c < communities_.size(); ++c) {
      const int per_year = is_bachang(c) ? per_year_ : per_year_ / 4;
      for (int i = 0; i < per_year; ++i) {
        Plan p;
        p.community = c;
        p.kind = &kKinds[rng_() % std::size(kKinds)];
        const std::int64_t day = 360 - 360 * i / per_year - static_cast<std::int64_t>(rng_() % 3);
        const int hour = kStartHours[rng_() % std::size(kStartHours)];
        p.start = cst_midnight(day) + hour * kHour + (rng_() % 2) * 30 * kMinute;
        p.end = p.start + p.kind->hours * kHour;
        p.cancel = rng_() % 25 == 0;
        plans.push_back(p);
      }
      add_current(plans, c);
    }
    std::ranges::sort(plans, {}, &Plan::start);
    return plans;
  }

  // What is on now and coming up: one running, the coming weeks published
  // (one full with a waitlist), one being drafted; in 八厂社区 also one
  // starting in a quarter of an hour, open for sign-up and check-in.
  void add_current(std::vector<Plan>& plans, std::size_t c) {
    auto at = [&](std::int64_t start, std::size_t kind, bool draft = false) {
      Plan p;
      p.community = c;
      p.kind = &kKinds[kind % std::size(kKinds)];
      p.start = start;
      p.end = start + p.kind->hours * kHour;
      p.draft = draft;
      plans.push_back(p);
    };
    at(now_ - kHour, c);
    if (is_bachang(c)) at(now_ + 15 * kMinute, 3);
    for (int d = 2; d <= 20; d += 6) at(cst_midnight(-d) + 9 * kHour, c + d);
    at(cst_midnight(-25) + 14 * kHour, c + 5, true);
  }

  // One activity from draft to wherever `now` finds it.
  Status hold(const Plan& p) {
    Community& c = communities_[p.community];
    const auth::Actor system = auth::system_actor();
    clock_ =
        std::min(p.start - static_cast<std::int64_t>(3 + rng_() % 10) * kDay, now_ - 2 * kHour);
    NewActivity in;
    in.team_id = c.team_ids[p.kind->team];
    in.title = p.kind->title;
    in.content = p.kind->content;
    in.venue = c.area.name + p.kind->venue;
    in.lat = c.lat;
    in.lng = c.lng;
    in.start_at = p.start;
    in.end_at = p.end;
    in.capacity = p.kind->capacity;
    in.points_per_hour = p.kind->points_per_hour;
    in.points_cap = p.kind->points_per_hour * p.kind->hours;
    auto a = service_.create_activity(system, in);
    if (!a) return fail(a.error());
    if (p.draft) return {};
    clock_ += kHour;
    if (auto ok = service_.act(system, a->id, "publish", ""); !ok) return fail(ok.error());
    std::vector<const Member*> confirmed = sign_up(c, p, a->id);
    if (p.cancel) {
      clock_ = std::min(p.start - kDay, now_ - kMinute);
      auto ok =
          service_.act(system, a->id, "cancel", "天气预报有暴雨，为安全起见活动取消，另行通知");
      return ok ? Status{} : fail(ok.error());
    }
    if (p.start - 30 * kMinute > now_) return {};
    return serve(c, p, a->id, confirmed);
  }

  // Sign-ups between publication and the start, most keen first; a few
  // cancel, which moves the waitlist up.
  std::vector<const Member*> sign_up(const Community& c, const Plan& p, std::int64_t id) {
    const std::int64_t from = clock_, to = std::min(p.start - kHour, now_ - kMinute);
    const int team = p.kind->team;
    std::vector<const Member*> members;
    double zeal = 0;
    for (const Member& m : c.members) {
      // 王坚's own bookings of what is not over yet are left to him (and the browser tests).
      if (m.actor.who.kind == "staff" && p.end > now_) continue;
      if (std::ranges::find(m.teams, team) == m.teams.end()) continue;
      members.push_back(&m);
      zeal += m.zeal;
    }
    // About 15 % more volunteers than places, so some go on the waitlist.
    const double wanted = 1.15 * static_cast<double>(p.kind->capacity);
    std::vector<const Member*> keen;
    for (const Member* m : members)
      if (uniform() < std::min(0.95, m->zeal * wanted / zeal)) keen.push_back(m);
    std::ranges::shuffle(keen, rng_);
    std::vector<const Member*> in;
    for (std::size_t i = 0; i < keen.size(); ++i) {
      clock_ = from + (to - from) * static_cast<std::int64_t>(i + 1) /
                          static_cast<std::int64_t>(keen.size() + 1);
      if (clock_ > to) break;
      auto s = service_.sign_up(keen[i]->actor, id);
      if (s && s->status == "confirmed") in.push_back(keen[i]);
    }
    if (in.size() > 2 && rng_() % 4 == 0 && clock_ < to) {
      clock_ += (to - clock_) / 2;
      if (service_.cancel_signup(in.back()->actor, id)) in.pop_back();
    }
    // Whoever the waitlist moved up serves too.
    auto rows = app_.db->read([&](db::Conn& conn) { return store::signups_of_activity(conn, id); });
    std::vector<const Member*> confirmed;
    for (const Signup& s : rows) {
      if (s.status != "confirmed") continue;
      for (const Member& m : c.members)
        if (m.volunteer_id == s.volunteer_id) confirmed.push_back(&m);
    }
    return confirmed;
  }

  // Check-in by QR (now and then by hand), check-out, verification.
  Status serve(Community& c, const Plan& p, std::int64_t id,
               const std::vector<const Member*>& confirmed) {
    const auth::Actor system = auth::system_actor();
    std::vector<const Member*> present;
    for (const Member* m : confirmed) {
      if (uniform() < 0.08) continue;  // did not come
      clock_ = std::min(p.start - static_cast<std::int64_t>(rng_() % 25) * kMinute, now_);
      if (uniform() < 0.1) {
        ManualAttendance in{m->volunteer_id, "check_in", clock_};
        if (auto ok = service_.manual(system, id, in); !ok) return fail(ok.error());
      } else if (auto ok = scan(c, *m, id, uniform() < 0.03); !ok) {
        return fail(ok.error());
      }
      present.push_back(m);
    }
    if (p.start > now_) return {};
    clock_ = p.start;
    service_.run_once(clock_);
    if (p.end > now_) return {};
    for (const Member* m : present) {
      if (uniform() < 0.05) continue;  // forgot: checked out by the scheduler
      clock_ = p.end + static_cast<std::int64_t>(rng_() % 25) * kMinute - 10 * kMinute;
      if (auto ok = scan(c, *m, id, false); !ok) return fail(ok.error());
    }
    clock_ = p.end + 12 * kHour + kMinute;
    if (clock_ > now_) return {};
    service_.run_once(clock_);
    // The last week's records still wait for the organizer.
    if (p.end > now_ - 7 * kDay) return {};
    return verify_all(c, id);
  }

  Status scan(const Community& c, const Member& m, std::int64_t id, bool far) {
    ScanInput in;
    in.token = service_.token_for(id, clock_ / kQrWindowMs);
    const double off = far ? 0.02 : 0.001 * uniform();
    in.lat = c.lat + off;
    in.lng = c.lng - off;
    auto done = service_.scan(m.actor, id, in);
    return done ? Status{} : fail(done.error());
  }

  Status verify_all(Community& c, std::int64_t id) {
    const auth::Actor system = auth::system_actor();
    auto records = service_.attendance(system, id);
    if (!records) return fail(records.error());
    clock_ += static_cast<std::int64_t>(rng_() % 10) * kHour;
    for (const Attendance& rec : *records) {
      Verification v{"approve", std::nullopt, ""};
      const double r = uniform();
      if (rec.auto_flag || r < 0.06) {
        v = {"adjust", std::max<std::int64_t>(0, rec.minutes - 30), "扣除往返路途和休息时间"};
      } else if (r < 0.08) {
        v = {"reject", std::nullopt, "经核实未按要求完成服务，不予认定"};
      }
      auto done = service_.verify(system, rec.id, v);
      if (!done) return fail(done.error());
      if (done->points) balances_[rec.volunteer_id] += *done->points;
    }
    return redeem_some(c);
  }

  // Now and then somebody with enough points takes a gift home.
  Status redeem_some(Community& c) {
    if (c.members.empty() || uniform() > 0.3) return {};
    if (auto ok = open_shop(c); !ok) return ok;
    const Member& m = c.members[rng_() % c.members.size()];
    const std::int64_t g = rng_() % std::size(kGifts);
    if (kGifts[g].stock == 0 || balances_[m.volunteer_id] < kGifts[g].price) return {};
    clock_ += kHour;
    auto r = service_.redeem(m.actor, c.gift_ids[static_cast<std::size_t>(g)], 1);
    if (!r) return {};  // out of stock
    balances_[m.volunteer_id] -= r->points;
    const double fate = uniform();
    clock_ += static_cast<std::int64_t>(1 + rng_() % 48) * kHour;
    if (clock_ > now_ - kHour) return {};  // still waiting to be picked up
    if (fate < 0.07) {
      if (service_.cancel_redemption(m.actor, r->id)) balances_[m.volunteer_id] += r->points;
      return {};
    }
    auto h = service_.hand_over(auth::system_actor(), r->id, r->pickup_code);
    return h ? Status{} : fail(h.error());
  }

  Status open_shop(Community& c) {
    if (!c.gift_ids.empty()) return {};
    for (const GiftSpec& g : kGifts) {
      GiftInput in;
      in.area_id = c.area.id;
      in.name = g.name;
      in.description = g.description;
      in.points_price = g.price;
      in.stock = g.stock;
      auto made = service_.create_gift(auth::system_actor(), in);
      if (!made) return fail(made.error());
      c.gift_ids.push_back(made->id);
    }
    return {};
  }

  // Gift shops everywhere, a few reservations waiting for pick-up, the
  // yearly star award, and certificates for the long-serving.
  Status recognise() {
    const auth::Actor system = auth::system_actor();
    for (Community& c : communities_) {
      if (auto ok = open_shop(c); !ok) return ok;
      if (c.members.empty()) continue;
      std::vector<const Member*> by_points;
      for (const Member& m : c.members) by_points.push_back(&m);
      std::ranges::sort(by_points, std::greater{},
                        [&](const Member* m) { return balances_[m->volunteer_id]; });
      clock_ = now_ - 3 * kHour;
      auto award =
          service_.adjust(system, by_points.front()->volunteer_id, 100, "年度志愿之星奖励积分");
      if (!award) return fail(award.error());
      for (std::size_t i = 0; i < std::min<std::size_t>(3, by_points.size()); ++i) {
        clock_ = now_ - static_cast<std::int64_t>(i + 1) * kHour;
        (void)service_.redeem(by_points[i]->actor, c.gift_ids[i], 1);  // waits for pick-up
        (void)service_.issue_certificate(system, by_points[i]->volunteer_id);
      }
    }
    return {};
  }

  double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

  App& app_;
  VolunteerService service_;
  std::mt19937_64 rng_;
  const std::int64_t now_;
  const int per_year_;
  std::int64_t clock_ = 0;
  std::size_t max_communities_;
  std::vector<Community> communities_;
  std::optional<auth::Principal> wang_jian_;
  std::int64_t numbers_ = 0;
  std::map<std::int64_t, std::int64_t> balances_;
};

}  // namespace

Status seed_demo(App& app, std::uint64_t seed, int activities_per_year,
                 std::size_t max_communities) {
  return DemoRun(app, seed, activities_per_year, max_communities).run();
}

}  // namespace cg::volunteers

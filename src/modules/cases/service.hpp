// The cases service (民情工单): categories, the working-day calendar that
// deadlines are counted on, and the closed loop itself — report → accept →
// dispatch → handle → verify → close → rate — as a state table of actions,
// each checked against the case's status, the caller's role over the case's
// grid (or being its assigned handler or its reporter), and the version the
// caller last saw. Every action appends a timeline event and an audit record
// in the same transaction.
//
// Visibility, as everywhere: a case the caller may not see answers 404; one
// the caller sees but may not act on answers 403; an action the status does
// not allow answers 409 "illegal-transition"; a stale version 409 "stale-case".
//
// Thread safety: safe from any thread. The calendar is cached behind a mutex
// and rebuilt when an admin changes it.
#pragma once

#include <atomic>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/workcal.hpp"
#include "modules/auth/model.hpp"
#include "modules/cases/model.hpp"
#include "modules/cases/page_cache.hpp"

namespace cg {
class App;
namespace db {
class Conn;
}
}  // namespace cg

namespace cg::cases {

class CaseService {
 public:
  explicit CaseService(App& app);

  // ---- categories (read: any signed-in user; write: org.write on the root) ----
  Result<std::vector<Category>> category_tree(const auth::Actor& actor) const;
  Result<Category> create_category(const auth::Actor& actor, const CategoryInput& input) const;
  Result<Category> update_category(const auth::Actor& actor, std::int64_t id,
                                   const CategoryInput& input) const;

  // ---- calendar (read: staff; write: org.write on the root) ----
  Result<std::vector<CalendarDay>> calendar_year(const auth::Actor& actor, int year) const;
  Result<CalendarDay> put_calendar_day(const auth::Actor& actor, const CalendarDay& day) const;
  Status delete_calendar_day(const auth::Actor& actor, const std::string& date) const;
  // Sets the working hours of every working day ("08:30-12:00,13:30-17:30").
  // Deadlines computed from now on use them; deadlines already set stay.
  Result<WorkingHours> set_working_hours(const auth::Actor& actor, const std::string& text) const;
  // Seeds calendar_days from the official schedule once per database.
  void seed_calendar() const;
  // Counts the cases that predate the indicator rollups into them, once
  // (migration 0060 creates the table; migrations are SQL only).
  void ensure_rollups() const;
  std::shared_ptr<const WorkCalendar> calendar() const;

  // ---- cases ----
  // `idempotency_key` (may be empty) with the request body's bytes: a retry
  // with the same key and body returns the first case (fresh = false); the
  // same key with another body is 422 "idempotency-key-reused".
  Result<Created> create(const auth::Actor& actor, const NewCase& input,
                         const std::string& idempotency_key, const std::string& body) const;
  // Files a case for a program that reports on people's behalf (an Open311
  // client, see modules/open311) whose right to file into `input.grid_id` its
  // own module has already checked: as create() without the staff role check.
  // The program (user_id 0, kind naming it) is the timeline's and the audit
  // log's actor and the recorded role.
  Result<Created> create_for_program(const auth::Actor& program, const NewCase& input) const;
  Result<CaseDetail> get(const auth::Actor& actor, std::int64_t id) const;
  Result<CaseDetail> act(const auth::Actor& actor, std::int64_t id, const ActionInput& input) const;
  Result<Page> list(const auth::Actor& actor, const ListQuery& query) const;
  // The body of the list page list() answers, as `render` writes it: kept in
  // the page cache (page_cache.hpp) or read, rendered and kept. Only pages
  // that succeed are kept.
  Result<PageCache::Body> list_body(const auth::Actor& actor, const ListQuery& query,
                                    const std::function<std::string(const Page&)>& render) const;
  // A photo shown with a case the caller can see (404 otherwise).
  Result<PhotoBytes> photo(const auth::Actor& actor, std::int64_t case_id,
                           const std::string& file_id) const;

  // ---- supervision (督办) ----
  // One pass of the scheduler at `now`: marks every case with a running
  // deadline yellow (≥ 80 % of its working time used), red (overdue) or
  // none, and escalates an overdue case one level (grid → community →
  // street) once per missed deadline, as the system actor, with a timeline
  // event and an audit record. All state is in the database, so a restarted
  // server simply continues.
  SupervisionReport run_supervision_once(std::int64_t now) const;
  // Red and yellow cases within the caller's sight, newest deadline first.
  Result<Board> board(const auth::Actor& actor) const;

  // ---- indicators (staff with a viewing role over the area) ----
  Result<CaseStats> stats(const auth::Actor& actor, const StatsQuery& query) const;
  // Running cases per grid under an area (default: the caller's scope root), for the map.
  Result<OpenByGrid> open_by_grid(const auth::Actor& actor,
                                  std::optional<std::int64_t> area_id) const;

  // The clock of this service (epoch ms). Production uses now_ms() unless a
  // test set testing::set_now(); the demo generator sets its own.
  void set_clock(std::function<std::int64_t()> clock) { clock_ = std::move(clock); }
  std::int64_t now() const { return clock_(); }

  // What the supervision passes (one a minute) would have done to the running
  // case `c` by `now` since its last write, applied to `c`: one escalation if
  // its deadline has been missed (as supervise_page does it, at the first pass
  // after the deadline), its warning, and when a pass must look next. Returns
  // the escalation's timeline event, if any. The bulk demo generator applies
  // it, so a generated year does not leave the server's first pass millions of
  // overdue cases to escalate (on `city`: 2.25 M running cases).
  static std::optional<Event> catch_up_supervision(const WorkCalendar& cal, Case& c,
                                                   std::int64_t now);

 private:
  Result<CaseDetail> detail(db::Conn& conn, const auth::Actor& actor, Case c) const;
  // The running deadline and the caller's allowed actions of d.item, now.
  void complete(CaseDetail& d, const auth::Actor& actor) const;
  // create() and create_for_program(); `vouched`: the caller's module checked the grid.
  Result<Created> file(const auth::Actor& actor, const NewCase& input,
                       const std::string& idempotency_key, const std::string& body,
                       bool vouched) const;
  void rebuild_calendar() const;
  // The supervision pass's pieces (run_supervision_once).
  int clear_stale_warnings() const;
  static bool supervision_due(const Case& c, const DeadlineInfo& d);
  static bool escalation_due(const Case& c, const DeadlineInfo& d);
  static void add_report(SupervisionReport& into, const SupervisionReport& more);
  static std::optional<std::int64_t> supervise_at(const WorkCalendar& cal, const Case& c,
                                                  std::int64_t now);
  static std::optional<std::int64_t> next_look(const WorkCalendar& cal, const Case& c,
                                               const DeadlineInfo& d, std::int64_t now);
  // A case the pass writes: its warning or level changes, or only when to look next.
  struct Look {
    const Case* c;
    DeadlineInfo d;
    std::optional<std::int64_t> next;
    bool changes;
  };
  SupervisionReport sweep_all(const WorkCalendar& cal, std::int64_t now) const;
  SupervisionReport look_at(const std::vector<Case>& page, const WorkCalendar& cal,
                            std::int64_t now) const;
  SupervisionReport supervise_page(const std::vector<Look>& looks, std::int64_t now) const;

  App& app_;
  PageCache& pages_;
  const std::atomic<std::uint64_t>& area_names_;  // org::store::AreaNamesVersion
  std::function<std::int64_t()> clock_;
  mutable std::mutex calendar_mutex_;
  mutable std::shared_ptr<const WorkCalendar> calendar_;
};

namespace testing {
// Makes every CaseService read `ms` as "now" (std::nullopt: the real clock).
void set_now(std::optional<std::int64_t> ms);
}  // namespace testing

namespace detail {
// The bigrams a case is found by (title and description), as service.cpp indexes them.
std::vector<std::string> grams_of(const Case& c);
std::optional<std::int64_t> user_or_none(const auth::Principal& p);
std::string actor_name(const auth::Principal& p);
// When a case of `cat` whose clock starts at `start` must be handled.
std::int64_t handle_deadline(const WorkCalendar& cal, const Category& cat, std::int64_t start);
DeadlineInfo deadline_info(const WorkCalendar& cal, const Case& c, std::int64_t now);
}  // namespace detail

// A year of realistic cases in every status, made through the same service
// code as the API (as the system actor, with a clock walking through the
// year), in the grids and categories that exist. Deterministic for a seed.
Status seed_demo_cases(App& app, std::uint64_t seed, int count);

// The same kind of year for the big presets, without the services: each case is
// walked through the same steps in memory (deadlines on the working-day
// calendar, the timeline event of every step, bigrams, daily numbers, the
// handlers' photos) and written with multi-row INSERTs, a second thread
// preparing the next batch meanwhile. No audit records or notifications.
Status seed_bulk_cases(App& app, std::uint64_t seed, int count);

}  // namespace cg::cases

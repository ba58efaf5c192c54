// The volunteers service (志愿服务 and the 公益兑换储蓄银行). Rules:
//  * volunteers register themselves (a resident on the phone, or staff) and a
//    holder of volunteers.manage over their area approves, which gives the
//    deployment-unique volunteer number;
//  * activities go draft → published → running → finished → verified (or
//    cancelled, which notifies everyone signed up); sign-up respects capacity
//    with a waitlist that moves up on cancel, and refuses overlapping bookings;
//  * check-in/out by a QR token that changes every 30 s (HMAC of activity and
//    time window), each token good for one scan per volunteer; hours are the
//    actual time cut to the activity's window, counted once verified;
//  * the points bank is a double-entry ledger: every movement a transfer
//    between two accounts, rows never changed, balances never below zero
//    (the pools that issue points excepted), earnings posted once.
// Visibility follows the org tree: out of scope answers 404, in sight but not
// allowed 403, a state that forbids the action 409.
//
// Thread safety: safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/pii.hpp"
#include "modules/auth/model.hpp"
#include "modules/volunteers/model.hpp"

namespace cg {
class App;
}

namespace cg::volunteers {

inline constexpr std::int64_t kQrWindowMs = 30'000;

struct ScanInput {
  std::string token;
  std::optional<double> lat, lng;
};

struct ManualAttendance {
  std::int64_t volunteer_id = 0;
  std::string action;  // check_in | check_out
  std::optional<std::int64_t> at;
};

struct Verification {
  std::string decision;  // approve | adjust | reject
  std::optional<std::int64_t> minutes;
  std::string reason;
};

struct NewBackfill {
  std::int64_t activity_id = 0;
  std::optional<std::int64_t> volunteer_id;  // a manager filing for someone; default: me
  std::int64_t check_in_at = 0, check_out_at = 0;
  std::string reason;
};

struct QrToken {
  std::string token;
  std::int64_t window_start = 0, expires_at = 0;
};

class VolunteerService {
 public:
  // `qr_key`: the server secret the check-in tokens are signed with.
  VolunteerService(App& app, const PiiKey& qr_key);

  // ---- volunteers ----
  Result<Volunteer> register_me(const auth::Actor& actor, const Registration& input) const;
  Result<Volunteer> me(const auth::Actor& actor) const;
  Result<Volunteer> get(const auth::Actor& actor, std::int64_t id) const;
  Result<std::vector<Volunteer>> list(const auth::Actor& actor, const VolunteerQuery& q,
                                      std::optional<std::string>& next_cursor) const;
  Result<Volunteer> decide(const auth::Actor& actor, std::int64_t id, bool approve,
                           const std::string& note) const;

  // ---- teams ----
  Result<Team> create_team(const auth::Actor& actor, const NewTeam& input) const;
  Result<std::vector<Team>> teams(const auth::Actor& actor) const;
  Result<std::pair<Team, std::vector<TeamMember>>> team(const auth::Actor& actor,
                                                        std::int64_t id) const;
  Status put_member(const auth::Actor& actor, std::int64_t team_id, std::int64_t volunteer_id,
                    const std::string& role) const;
  Status remove_member(const auth::Actor& actor, std::int64_t team_id,
                       std::int64_t volunteer_id) const;

  // ---- activities ----
  Result<Activity> create_activity(const auth::Actor& actor, const NewActivity& input) const;
  Result<Activity> activity(const auth::Actor& actor, std::int64_t id) const;
  Result<std::vector<Activity>> activities(const auth::Actor& actor, const ActivityQuery& q,
                                           std::optional<std::string>& next_cursor) const;
  // publish | cancel (with a reason).
  Result<Activity> act(const auth::Actor& actor, std::int64_t id, const std::string& action,
                       const std::string& reason) const;
  Result<Signup> sign_up(const auth::Actor& actor, std::int64_t activity_id) const;
  Result<Signup> cancel_signup(const auth::Actor& actor, std::int64_t activity_id) const;
  Result<std::vector<Signup>> signups(const auth::Actor& actor, std::int64_t activity_id) const;
  Result<std::vector<Signup>> my_signups(const auth::Actor& actor) const;

  // ---- attendance ----
  Result<QrToken> qr_token(const auth::Actor& actor, std::int64_t activity_id) const;
  // Checks the caller in, or out when already in. Second = "in" | "out".
  Result<std::pair<Attendance, std::string>> scan(const auth::Actor& actor,
                                                  std::int64_t activity_id,
                                                  const ScanInput& input) const;
  Result<Attendance> manual(const auth::Actor& actor, std::int64_t activity_id,
                            const ManualAttendance& input) const;
  Result<std::vector<Attendance>> attendance(const auth::Actor& actor,
                                             std::int64_t activity_id) const;
  // Verifies and, for approve/adjust, posts the earning in the same
  // transaction. A record is verified once: a second call is 409.
  Result<Attendance> verify(const auth::Actor& actor, std::int64_t attendance_id,
                            const Verification& input) const;
  Result<Backfill> request_backfill(const auth::Actor& actor, const NewBackfill& input) const;
  Result<Backfill> decide_backfill(const auth::Actor& actor, std::int64_t id, bool approve,
                                   const std::string& note) const;
  Result<std::vector<Backfill>> backfills(const auth::Actor& actor,
                                          const std::optional<std::string>& status) const;

  // ---- points bank ----
  Result<Passbook> passbook(const auth::Actor& actor, std::optional<std::int64_t> id) const;
  // `points` > 0 credits the volunteer from the pool of their area, < 0 debits.
  Result<Transfer> adjust(const auth::Actor& actor, std::int64_t volunteer_id, std::int64_t points,
                          const std::string& reason) const;
  Result<Transfer> reverse(const auth::Actor& actor, std::int64_t transfer_id,
                           const std::string& reason) const;
  Result<Gift> create_gift(const auth::Actor& actor, const GiftInput& input) const;
  Result<Gift> update_gift(const auth::Actor& actor, std::int64_t id, const GiftInput& input) const;
  Result<std::vector<Gift>> gifts(const auth::Actor& actor) const;
  Result<Redemption> redeem(const auth::Actor& actor, std::int64_t gift_id,
                            std::int64_t quantity) const;
  Result<Redemption> hand_over(const auth::Actor& actor, std::int64_t id,
                               const std::string& pickup_code) const;
  Result<Redemption> cancel_redemption(const auth::Actor& actor, std::int64_t id) const;
  Result<std::vector<Redemption>> redemptions(const auth::Actor& actor,
                                              const std::optional<std::string>& status) const;

  // ---- recognition ----
  Result<Ranking> ranking(const auth::Actor& actor, const RankingQuery& q) const;
  Result<Certificate> issue_certificate(const auth::Actor& actor,
                                        std::optional<std::int64_t> volunteer_id) const;
  // Open to anyone holding the number; shows masked identity only.
  Result<Certificate> verify_certificate(const std::string& number) const;
  Result<std::vector<Notice>> notices(const auth::Actor& actor) const;
  Result<Settings> settings(const auth::Actor& actor) const;
  Result<Settings> put_settings(const auth::Actor& actor, const Settings& s) const;

  // ---- the scheduler ----
  // One pass at `now`: published activities whose start has come run,
  // running ones whose end has passed finish, volunteers still checked in
  // 12 h after the end are checked out at the end and flagged, and (when
  // set) points older than the expiry age go back to the pool. State is in
  // the database only, so a restarted server simply continues.
  SweepReport run_once(std::int64_t now) const;

  std::string token_for(std::int64_t activity_id, std::int64_t window) const;
  void set_clock(std::function<std::int64_t()> clock) { clock_ = std::move(clock); }
  std::int64_t now() const { return clock_(); }

 private:
  App& app_;
  PiiKey qr_key_;
  std::function<std::int64_t()> clock_;
};

namespace testing {
// Makes every VolunteerService read `ms` as "now" (std::nullopt: the real clock).
void set_now(std::optional<std::int64_t> ms);
}  // namespace testing

// Teams, volunteers, a year of activities in every status with check-ins,
// verified hours, points, gifts and redemptions in every community, made
// through VolunteerService as real use would (see demo.cpp). Deterministic
// for a seed, apart from the random pick-up codes and certificate numbers.
// 八厂社区 holds `activities_per_year` activities, other communities a quarter.
// `max_communities` > 0 keeps to the first so many communities (by id): the big
// presets' thousands of communities would take hours through the service.
Status seed_demo(App& app, std::uint64_t seed, int activities_per_year = 120,
                 std::size_t max_communities = 0);

}  // namespace cg::volunteers

// SQL of the volunteers capability. Functions run inside the caller's
// transaction and decide nothing: scope, state and validation are the
// service's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/db.hpp"
#include "db/query.hpp"
#include "modules/auth/model.hpp"
#include "modules/volunteers/model.hpp"

namespace cg::volunteers::store {

using db::PathRange;

// ---- settings ----
Settings settings(db::Conn& conn);
void put_setting(db::Conn& conn, const std::string& name, const std::string& value);

// ---- volunteers ----
std::int64_t next_volunteer_number(db::Conn& conn);
std::int64_t insert_volunteer(db::Conn& conn, const Volunteer& v);
std::optional<Volunteer> find_volunteer(db::Conn& conn, std::int64_t id);
std::optional<Volunteer> volunteer_of_user(db::Conn& conn, std::int64_t user_id);
void update_registration(db::Conn& conn, const Volunteer& v, std::int64_t now);
void decide_volunteer(db::Conn& conn, std::int64_t id, const std::string& status,
                      std::optional<std::int64_t> number, const std::string& note, std::int64_t by,
                      std::int64_t now);
std::vector<Volunteer> search_volunteers(db::Conn& conn, const std::vector<PathRange>& scopes,
                                         const VolunteerQuery& q,
                                         const std::optional<PathRange>& area);
// Takes the row lock on PostgreSQL (a no-op write on SQLite's single writer),
// so checks on a volunteer's bookings do not race.
void lock_volunteer(db::Conn& conn, std::int64_t id);
std::int64_t verified_minutes_of(db::Conn& conn, std::int64_t volunteer_id);

// ---- teams ----
std::int64_t insert_team(db::Conn& conn, const Team& t);
std::optional<Team> find_team(db::Conn& conn, std::int64_t id);
std::vector<Team> teams_in(db::Conn& conn, const std::vector<PathRange>& scopes);
std::vector<TeamMember> team_members(db::Conn& conn, std::int64_t team_id);
void put_team_member(db::Conn& conn, std::int64_t team_id, std::int64_t volunteer_id,
                     const std::string& role, std::int64_t now);
bool delete_team_member(db::Conn& conn, std::int64_t team_id, std::int64_t volunteer_id);

// ---- activities ----
std::int64_t insert_activity(db::Conn& conn, const Activity& a);
std::optional<Activity> find_activity(db::Conn& conn, std::int64_t id);
// Bumps the version (and takes the row lock on PostgreSQL) — call before
// counting sign-ups so two sign-ups cannot both take the last place.
void lock_activity(db::Conn& conn, std::int64_t id, std::int64_t now);
void set_activity_status(db::Conn& conn, std::int64_t id, const std::string& status,
                         const std::string& cancel_reason, std::int64_t now);
// Visible: inside `scopes`, or published (not a draft) and open to one of `open_paths`.
std::vector<Activity> search_activities(db::Conn& conn, const std::vector<PathRange>& scopes,
                                        const std::vector<std::string>& open_paths,
                                        const ActivityQuery& q,
                                        const std::optional<PathRange>& area);
std::vector<Activity> activities_to_start(db::Conn& conn, std::int64_t now);
std::vector<Activity> activities_to_finish(db::Conn& conn, std::int64_t now);

// ---- sign-ups ----
std::optional<Signup> find_signup(db::Conn& conn, std::int64_t activity_id,
                                  std::int64_t volunteer_id);
std::int64_t count_signups(db::Conn& conn, std::int64_t activity_id, const std::string& status);
// An active sign-up of the volunteer to another activity overlapping [start, end).
std::optional<Signup> overlapping_signup(db::Conn& conn, std::int64_t volunteer_id,
                                         std::int64_t activity_id, std::int64_t start,
                                         std::int64_t end);
void upsert_signup(db::Conn& conn, const Signup& s, std::int64_t now);
void set_signup_status(db::Conn& conn, std::int64_t id, const std::string& status,
                       std::int64_t now);
std::optional<Signup> first_waitlisted(db::Conn& conn, std::int64_t activity_id);
std::int64_t waitlist_position(db::Conn& conn, const Signup& s);
std::vector<Signup> signups_of_activity(db::Conn& conn, std::int64_t activity_id);
std::vector<Signup> signups_of_volunteer(db::Conn& conn, std::int64_t volunteer_id);

// ---- attendance ----
std::optional<Attendance> find_attendance(db::Conn& conn, std::int64_t id);
std::optional<Attendance> attendance_of(db::Conn& conn, std::int64_t activity_id,
                                        std::int64_t volunteer_id);
std::int64_t insert_attendance(db::Conn& conn, const Attendance& a, std::int64_t now);
// Closes an open record; false when it was not open any more.
bool check_out(db::Conn& conn, std::int64_t id, std::int64_t at, const std::string& method,
               bool auto_flag, std::int64_t minutes);
// Moves a pending record to its verdict; false when it was not pending any more.
bool verify_attendance(db::Conn& conn, std::int64_t id, const std::string& status,
                       std::optional<std::int64_t> minutes, const std::string& reason,
                       std::int64_t by, std::int64_t now);
std::vector<Attendance> attendance_of_activity(db::Conn& conn, std::int64_t activity_id);
std::vector<Attendance> verified_attendance_of(db::Conn& conn, std::int64_t volunteer_id,
                                               std::optional<std::int64_t> through_id);
std::int64_t count_unverified(db::Conn& conn, std::int64_t activity_id);
// Open records of activities that ended before `ended_before`.
std::vector<Attendance> stale_open_attendance(db::Conn& conn, std::int64_t ended_before);
// False when the volunteer already used this window's token.
bool record_qr_scan(db::Conn& conn, std::int64_t activity_id, std::int64_t volunteer_id,
                    std::int64_t window, std::int64_t now);

// ---- back-fill ----
std::int64_t insert_backfill(db::Conn& conn, const Backfill& b, std::optional<std::int64_t> by,
                             std::int64_t now);
std::optional<Backfill> find_backfill(db::Conn& conn, std::int64_t id);
bool decide_backfill(db::Conn& conn, std::int64_t id, const std::string& status,
                     const std::string& note, std::int64_t by, std::int64_t now);
bool pending_backfill(db::Conn& conn, std::int64_t activity_id, std::int64_t volunteer_id);
std::vector<Backfill> search_backfills(db::Conn& conn, const std::vector<PathRange>& scopes,
                                       std::optional<std::int64_t> volunteer_id,
                                       const std::optional<std::string>& status);

// ---- points ----
// The account, created on first use.
Account pool_account(db::Conn& conn, std::int64_t area_id, const std::string& path,
                     std::int64_t now);
Account shop_account(db::Conn& conn, std::int64_t area_id, const std::string& path,
                     std::int64_t now);
Account volunteer_account(db::Conn& conn, std::int64_t volunteer_id, const std::string& path,
                          std::int64_t now);
std::optional<Account> find_account(db::Conn& conn, std::int64_t id);
// Moves `amount` from one account to the other: debits only when the source
// keeps a balance ≥ 0 (pools excepted), credits the target, appends the
// transfer. nullopt when the source lacks the points (nothing written).
std::optional<std::int64_t> transfer(db::Conn& conn, const Transfer& t);
std::optional<Transfer> find_transfer(db::Conn& conn, std::int64_t id);
std::optional<Transfer> earning_of(db::Conn& conn, std::int64_t attendance_id);
std::int64_t ledger_sum(db::Conn& conn, std::int64_t account_id);
struct LedgerRow {
  Transfer transfer;
  std::string activity_title, venue, gift_name, gift_area;
  std::optional<std::int64_t> minutes;
};
std::vector<LedgerRow> ledger_of(db::Conn& conn, std::int64_t account_id);
// Points credited to the account at or before `before` (earnings and
// positive adjustments), and everything ever debited from it.
std::int64_t credited_before(db::Conn& conn, std::int64_t account_id, std::int64_t before);
std::int64_t debited_total(db::Conn& conn, std::int64_t account_id);
std::vector<Account> volunteer_accounts_with_balance(db::Conn& conn);

// ---- gifts ----
std::int64_t insert_gift(db::Conn& conn, const Gift& g);
std::optional<Gift> find_gift(db::Conn& conn, std::int64_t id);
void update_gift(db::Conn& conn, const Gift& g, std::int64_t now);
std::vector<Gift> gifts_in(db::Conn& conn, const std::vector<PathRange>& scopes, bool active_only);
// Takes `quantity` from stock when that much is left; false otherwise.
bool take_stock(db::Conn& conn, std::int64_t gift_id, std::int64_t quantity, std::int64_t now);
void return_stock(db::Conn& conn, std::int64_t gift_id, std::int64_t quantity, std::int64_t now);
std::int64_t insert_redemption(db::Conn& conn, const Redemption& r);
std::optional<Redemption> find_redemption(db::Conn& conn, std::int64_t id);
bool close_redemption(db::Conn& conn, std::int64_t id, const std::string& status,
                      std::optional<std::int64_t> by, std::int64_t now);
std::vector<Redemption> search_redemptions(db::Conn& conn, const std::vector<PathRange>& scopes,
                                           std::optional<std::int64_t> volunteer_id,
                                           const std::optional<std::string>& status);

// ---- recognition ----
std::vector<RankingRow> ranking(db::Conn& conn, const PathRange& area, std::int64_t from,
                                std::int64_t to, bool by_points, int limit);
std::int64_t insert_certificate(db::Conn& conn, const Certificate& c, std::int64_t through_id,
                                std::int64_t by);
struct CertificateRow {
  Certificate cert;
  std::int64_t through_attendance_id = 0;
};
std::optional<CertificateRow> find_certificate(db::Conn& conn, const std::string& number);

// ---- names ----
std::string area_name(db::Conn& conn, std::int64_t area_id);
struct ResidentBrief {
  std::int64_t id = 0;
  std::string name, path, id_number_masked, phone_masked;
  std::int64_t grid_id = 0;
  std::optional<std::int64_t> street_id;
};
std::optional<ResidentBrief> find_resident(db::Conn& conn, std::int64_t id);

// ---- demo data ----
struct AreaBrief {
  std::int64_t id = 0;
  std::string name, path;
};
std::vector<AreaBrief> communities(db::Conn& conn);
// Residents of an area who have a phone (so they can sign in), by id.
struct DemoResident {
  std::int64_t id = 0;
  std::string name, birth_date;
  std::string phone_enc;  // encrypted, as the registry keeps it
};
std::vector<DemoResident> residents_with_phone(db::Conn& conn, const PathRange& area);
// The account with its grants, as a signed-in request would see it.
std::optional<auth::Principal> principal_of_user(db::Conn& conn, std::int64_t user_id);
std::optional<std::int64_t> user_id_by_username(db::Conn& conn, const std::string& username);

}  // namespace cg::volunteers::store

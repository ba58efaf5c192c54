#include "modules/volunteers/store.hpp"

#include <algorithm>
#include <sstream>
#include <type_traits>

namespace cg::volunteers::store {
namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::optional<double> opt_f64(const db::Row& r, std::size_t i) {
  if (r.is_null(i)) return std::nullopt;
  return r.f64(i);
}

// The first row `sql` yields, read by `read` (volunteer_row, team_row, …),
// or nullopt: the shape of every find_* below.
template <class Read>
auto first_row(db::Conn& conn, Read read, std::string_view sql,
               std::initializer_list<db::Param> params)
    -> std::optional<std::invoke_result_t<Read, const db::Row&>> {
  auto r = conn.query_one(sql, params);
  if (!r) return std::nullopt;
  return read(*r);
}

// Every row `sql` yields, each read by `read`: the shape of every list query.
template <class Read>
auto all_rows(db::Conn& conn, Read read, std::string_view sql, std::span<const db::Param> params)
    -> std::vector<std::invoke_result_t<Read, const db::Row&>> {
  std::vector<std::invoke_result_t<Read, const db::Row&>> out;
  for (const db::Row& r : conn.query(sql, params)) out.push_back(read(r));
  return out;
}

template <class Read>
auto all_rows(db::Conn& conn, Read read, std::string_view sql,
              std::initializer_list<db::Param> params = {}) {
  return all_rows(conn, read, sql, std::span<const db::Param>(params.begin(), params.size()));
}

// ---- volunteers ----

constexpr const char* kVolunteerColumns =
    "v.id, v.number, v.user_id, v.resident_id, v.kind, v.name, v.area_id, a.name, v.street_id, "
    "v.path, v.id_number_masked, v.phone_masked, v.skills, v.available_times, v.status, "
    "v.decision_note, v.decided_at, v.created_at FROM volunteers v JOIN areas a ON a.id = "
    "v.area_id";

Volunteer volunteer_row(const db::Row& r) {
  Volunteer v;
  v.id = r.i64(0);
  v.number = r.opt_i64(1);
  v.user_id = r.i64(2);
  v.resident_id = r.opt_i64(3);
  v.kind = r.text(4);
  v.name = r.text(5);
  v.area_id = r.i64(6);
  v.area_name = r.text(7);
  v.street_id = r.opt_i64(8);
  v.path = r.text(9);
  v.id_number_masked = r.text(10);
  v.phone_masked = r.text(11);
  v.skills = split(r.text(12));
  v.available_times = r.text(13);
  v.status = r.text(14);
  v.decision_note = r.text(15);
  v.decided_at = r.opt_i64(16);
  v.created_at = r.i64(17);
  return v;
}

// ---- teams / activities / sign-ups / attendance ----

constexpr const char* kTeamColumns =
    "t.id, t.name, t.kind, t.area_id, a.name, t.path, t.description, t.created_at, (SELECT "
    "COUNT(*) FROM volunteer_team_members m WHERE m.team_id = t.id) FROM volunteer_teams t JOIN "
    "areas a ON a.id = t.area_id";

Team team_row(const db::Row& r) {
  return {r.i64(0),  r.text(1), r.text(2), r.i64(3), r.text(4),
          r.text(5), r.text(6), r.i64(8),  r.i64(7)};
}

constexpr const char* kActivityColumns =
    "x.id, x.team_id, t.name, x.area_id, a.name, x.street_id, x.path, x.title, x.content, "
    "x.venue, x.lat, x.lng, x.start_at, x.end_at, x.signup_deadline, x.capacity, "
    "x.points_per_hour, x.points_cap, x.open_area_path, x.required_skills, x.status, "
    "x.cancel_reason, x.version, x.created_at, x.updated_at, "
    "(SELECT COUNT(*) FROM volunteer_signups s WHERE s.activity_id = x.id AND s.status = "
    "'confirmed'), (SELECT COUNT(*) FROM volunteer_signups s WHERE s.activity_id = x.id AND "
    "s.status = 'waitlisted') FROM volunteer_activities x JOIN volunteer_teams t ON t.id = "
    "x.team_id JOIN areas a ON a.id = x.area_id";

Activity activity_row(const db::Row& r) {
  Activity a;
  a.id = r.i64(0);
  a.team_id = r.i64(1);
  a.team_name = r.text(2);
  a.area_id = r.i64(3);
  a.area_name = r.text(4);
  a.street_id = r.opt_i64(5);
  a.path = r.text(6);
  a.title = r.text(7);
  a.content = r.text(8);
  a.venue = r.text(9);
  a.lat = opt_f64(r, 10);
  a.lng = opt_f64(r, 11);
  a.start_at = r.i64(12);
  a.end_at = r.i64(13);
  a.signup_deadline = r.i64(14);
  a.capacity = r.i64(15);
  a.points_per_hour = r.i64(16);
  a.points_cap = r.i64(17);
  a.open_area_path = r.text(18);
  a.required_skills = split(r.text(19));
  a.status = r.text(20);
  a.cancel_reason = r.text(21);
  a.version = r.i64(22);
  a.created_at = r.i64(23);
  a.updated_at = r.i64(24);
  a.confirmed = r.i64(25);
  a.waitlisted = r.i64(26);
  return a;
}

constexpr const char* kSignupColumns =
    "s.id, s.activity_id, x.title, s.volunteer_id, v.name, v.number, s.status, s.start_at, "
    "s.end_at, s.queued_at FROM volunteer_signups s JOIN volunteer_activities x ON x.id = "
    "s.activity_id JOIN volunteers v ON v.id = s.volunteer_id";

Signup signup_row(const db::Row& r) {
  Signup s;
  s.id = r.i64(0);
  s.activity_id = r.i64(1);
  s.activity_title = r.text(2);
  s.volunteer_id = r.i64(3);
  s.volunteer_name = r.text(4);
  s.volunteer_number = r.opt_i64(5);
  s.status = r.text(6);
  s.start_at = r.i64(7);
  s.end_at = r.i64(8);
  s.queued_at = r.i64(9);
  return s;
}

constexpr const char* kAttendanceColumns =
    "t.id, t.activity_id, x.title, t.volunteer_id, v.name, t.path, t.check_in_at, "
    "t.check_out_at, t.check_in_method, t.check_out_method, t.distance_m, t.far_flag, "
    "t.auto_flag, t.minutes, t.status, t.verified_minutes, t.verify_reason, t.verified_at, "
    "(SELECT p.amount FROM points_transfers p WHERE p.posting_key = 'earn:' || "
    "CAST(t.id AS TEXT)) FROM volunteer_attendance t JOIN volunteer_activities x ON x.id = "
    "t.activity_id JOIN volunteers v ON v.id = t.volunteer_id";

Attendance attendance_row(const db::Row& r) {
  Attendance a;
  a.id = r.i64(0);
  a.activity_id = r.i64(1);
  a.activity_title = r.text(2);
  a.volunteer_id = r.i64(3);
  a.volunteer_name = r.text(4);
  a.path = r.text(5);
  a.check_in_at = r.i64(6);
  a.check_out_at = r.opt_i64(7);
  a.check_in_method = r.text(8);
  a.check_out_method = r.opt_text(9);
  a.distance_m = r.opt_i64(10);
  a.far_flag = r.i64(11) != 0;
  a.auto_flag = r.i64(12) != 0;
  a.minutes = r.i64(13);
  a.status = r.text(14);
  a.verified_minutes = r.opt_i64(15);
  a.verify_reason = r.text(16);
  a.verified_at = r.opt_i64(17);
  a.points = r.opt_i64(18);
  return a;
}

constexpr const char* kBackfillColumns =
    "b.id, b.activity_id, x.title, b.volunteer_id, v.name, b.path, b.check_in_at, "
    "b.check_out_at, b.reason, b.status, b.decision_note, b.decided_at, b.created_at, (SELECT "
    "t.id FROM volunteer_attendance t WHERE t.activity_id = b.activity_id AND t.volunteer_id = "
    "b.volunteer_id AND t.check_in_method = 'backfill') FROM volunteer_backfills b JOIN "
    "volunteer_activities x ON x.id = b.activity_id JOIN volunteers v ON v.id = b.volunteer_id";

Backfill backfill_row(const db::Row& r) {
  Backfill b;
  b.id = r.i64(0);
  b.activity_id = r.i64(1);
  b.activity_title = r.text(2);
  b.volunteer_id = r.i64(3);
  b.volunteer_name = r.text(4);
  b.path = r.text(5);
  b.check_in_at = r.i64(6);
  b.check_out_at = r.i64(7);
  b.reason = r.text(8);
  b.status = r.text(9);
  b.decision_note = r.text(10);
  b.decided_at = r.opt_i64(11);
  b.created_at = r.i64(12);
  if (b.status == "approved") b.attendance_id = r.opt_i64(13);
  return b;
}

// ---- points ----

constexpr const char* kAccountColumns =
    "SELECT id, kind, area_id, volunteer_id, path, balance FROM points_accounts";

Account account_row(const db::Row& r) {
  return {r.i64(0), r.text(1), r.opt_i64(2), r.opt_i64(3), r.text(4), r.i64(5)};
}

constexpr const char* kTransferColumns =
    "p.id, p.at, p.from_account, p.to_account, p.amount, p.kind, p.attendance_id, "
    "p.redemption_id, p.reverses_id, p.posting_key, p.memo, p.actor_id, p.actor_name";

Transfer transfer_row(const db::Row& r) {
  Transfer t;
  t.id = r.i64(0);
  t.at = r.i64(1);
  t.from_account = r.i64(2);
  t.to_account = r.i64(3);
  t.amount = r.i64(4);
  t.kind = r.text(5);
  t.attendance_id = r.opt_i64(6);
  t.redemption_id = r.opt_i64(7);
  t.reverses_id = r.opt_i64(8);
  t.posting_key = r.opt_text(9);
  t.memo = r.text(10);
  t.actor_id = r.opt_i64(11);
  t.actor_name = r.text(12);
  return t;
}

Account area_account(db::Conn& conn, const char* kind, std::int64_t area_id,
                     const std::string& path, std::int64_t now) {
  conn.exec(
      "INSERT INTO points_accounts (kind, area_id, path, balance, created_at) VALUES ($1, $2, $3, "
      "0, $4) ON CONFLICT (kind, area_id) DO NOTHING",
      {kind, area_id, path, now});
  return account_row(*conn.query_one(
      std::string(kAccountColumns) + " WHERE kind = $1 AND area_id = $2", {kind, area_id}));
}

// ---- gifts / redemptions ----

constexpr const char* kGiftColumns =
    "g.id, g.area_id, a.name, g.path, g.name, g.description, g.points_price, g.stock, g.active, "
    "g.created_at FROM volunteer_gifts g JOIN areas a ON a.id = g.area_id";

Gift gift_row(const db::Row& r) {
  return {r.i64(0),  r.i64(1), r.text(2), r.text(3),     r.text(4),
          r.text(5), r.i64(6), r.i64(7),  r.i64(8) != 0, r.i64(9)};
}

constexpr const char* kRedemptionColumns =
    "r.id, r.gift_id, g.name, r.volunteer_id, v.name, r.path, r.quantity, r.points, "
    "r.pickup_code, r.status, r.created_at, r.closed_at FROM volunteer_redemptions r JOIN "
    "volunteer_gifts g ON g.id = r.gift_id JOIN volunteers v ON v.id = r.volunteer_id";

Redemption redemption_row(const db::Row& r) {
  return {r.i64(0), r.i64(1), r.text(2), r.i64(3),  r.text(4), r.text(5),
          r.i64(6), r.i64(7), r.text(8), r.text(9), r.i64(10), r.opt_i64(11)};
}

// "(path-range OR …)" on `column`, "1=1" for the whole tree, "1=0" for none.
std::string scope_sql(const char* column, const std::vector<PathRange>& scopes,
                      db::ParamList& params) {
  if (scopes.empty()) return "1=0";
  return "(" + db::path_ranges_sql(column, scopes, params) + ")";
}

}  // namespace

// ---- settings ----

Settings settings(db::Conn& conn) {
  Settings s;
  for (const db::Row& r : conn.query("SELECT name, value FROM volunteer_settings")) {
    const std::string name = r.text(0), value = r.text(1);
    if (name == "star_hours") {
      s.star_hours.clear();
      for (const std::string& h : split(value)) s.star_hours.push_back(std::stoll(h));
    } else if (name == "points_expiry_days") {
      s.points_expiry_days = std::stoll(value);
    } else if (name == "checkin_distance_m") {
      s.checkin_distance_m = std::stoll(value);
    }
  }
  return s;
}

void put_setting(db::Conn& conn, const std::string& name, const std::string& value) {
  conn.exec(
      "INSERT INTO volunteer_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE "
      "SET value = excluded.value",
      {name, value});
}

// ---- volunteers ----

std::int64_t next_volunteer_number(db::Conn& conn) {
  return conn
      .query_one(
          "UPDATE volunteer_counter SET last_number = last_number + 1 WHERE id = 1 "
          "RETURNING last_number")
      ->i64(0);
}

std::int64_t insert_volunteer(db::Conn& conn, const Volunteer& v) {
  return conn
      .query_one(
          "INSERT INTO volunteers (user_id, resident_id, kind, name, area_id, street_id, path, "
          "id_number_masked, phone_masked, skills, available_times, status, created_at, "
          "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) "
          "RETURNING id",
          {v.user_id, v.resident_id, v.kind, v.name, v.area_id, v.street_id, v.path,
           v.id_number_masked, v.phone_masked, join(v.skills), v.available_times, v.status,
           v.created_at})
      ->i64(0);
}

std::optional<Volunteer> find_volunteer(db::Conn& conn, std::int64_t id) {
  return first_row(conn, volunteer_row,
                   std::string("SELECT ") + kVolunteerColumns + " WHERE v.id = $1", {id});
}

std::optional<Volunteer> volunteer_of_user(db::Conn& conn, std::int64_t user_id) {
  return first_row(conn, volunteer_row,
                   std::string("SELECT ") + kVolunteerColumns + " WHERE v.user_id = $1", {user_id});
}

void update_registration(db::Conn& conn, const Volunteer& v, std::int64_t now) {
  conn.exec(
      "UPDATE volunteers SET skills = $2, available_times = $3, status = $4, updated_at = $5, "
      "version = version + 1 WHERE id = $1",
      {v.id, join(v.skills), v.available_times, v.status, now});
}

void decide_volunteer(db::Conn& conn, std::int64_t id, const std::string& status,
                      std::optional<std::int64_t> number, const std::string& note, std::int64_t by,
                      std::int64_t now) {
  conn.exec(
      "UPDATE volunteers SET status = $2, number = COALESCE(number, $3), decision_note = $4, "
      "decided_by = $5, decided_at = $6, updated_at = $6, version = version + 1 WHERE id = $1",
      {id, status, number, note, by, now});
}

std::vector<Volunteer> search_volunteers(db::Conn& conn, const std::vector<PathRange>& scopes,
                                         const VolunteerQuery& q,
                                         const std::optional<PathRange>& area) {
  db::ParamList params;
  std::string sql =
      std::string("SELECT ") + kVolunteerColumns + " WHERE " + scope_sql("v.path", scopes, params);
  if (area) sql += " AND " + db::path_ranges_sql("v.path", std::span(&*area, 1), params);
  if (q.status) sql += " AND v.status = " + params.add(*q.status);
  if (q.q) sql += " AND v.name LIKE " + params.add("%" + *q.q + "%");
  if (q.before_id) sql += " AND v.id < " + params.add(*q.before_id);
  sql += " ORDER BY v.id DESC LIMIT " + params.add(q.limit + 1);
  return all_rows(conn, volunteer_row, sql, params.span());
}

void lock_volunteer(db::Conn& conn, std::int64_t id) {
  conn.exec("UPDATE volunteers SET version = version + 1 WHERE id = $1", {id});
}

std::int64_t verified_minutes_of(db::Conn& conn, std::int64_t volunteer_id) {
  return conn
      .query_one(
          "SELECT COALESCE(SUM(verified_minutes), 0) FROM volunteer_attendance WHERE "
          "volunteer_id = $1 AND status IN ('approved', 'adjusted')",
          {volunteer_id})
      ->i64(0);
}

// ---- teams ----

std::int64_t insert_team(db::Conn& conn, const Team& t) {
  return conn
      .query_one(
          "INSERT INTO volunteer_teams (name, kind, area_id, street_id, path, description, "
          "created_at) VALUES ($1, $2, $3, (SELECT street_id FROM areas WHERE id = $3), $4, $5, "
          "$6) RETURNING id",
          {t.name, t.kind, t.area_id, t.path, t.description, t.created_at})
      ->i64(0);
}

std::optional<Team> find_team(db::Conn& conn, std::int64_t id) {
  return first_row(conn, team_row, std::string("SELECT ") + kTeamColumns + " WHERE t.id = $1",
                   {id});
}

std::vector<Team> teams_in(db::Conn& conn, const std::vector<PathRange>& scopes) {
  db::ParamList params;
  std::string sql = std::string("SELECT ") + kTeamColumns + " WHERE " +
                    scope_sql("t.path", scopes, params) + " ORDER BY t.id";
  return all_rows(conn, team_row, sql, params.span());
}

std::vector<TeamMember> team_members(db::Conn& conn, std::int64_t team_id) {
  std::vector<TeamMember> out;
  for (const db::Row& r : conn.query(
           "SELECT m.volunteer_id, v.number, v.name, m.role, m.joined_at FROM "
           "volunteer_team_members m JOIN volunteers v ON v.id = m.volunteer_id WHERE m.team_id = "
           "$1 ORDER BY m.role DESC, v.number, v.id",
           {team_id})) {
    out.push_back({r.i64(0), r.opt_i64(1), r.text(2), r.text(3), r.i64(4)});
  }
  return out;
}

void put_team_member(db::Conn& conn, std::int64_t team_id, std::int64_t volunteer_id,
                     const std::string& role, std::int64_t now) {
  conn.exec(
      "INSERT INTO volunteer_team_members (team_id, volunteer_id, role, joined_at) VALUES ($1, "
      "$2, $3, $4) ON CONFLICT (team_id, volunteer_id) DO UPDATE SET role = excluded.role",
      {team_id, volunteer_id, role, now});
}

bool delete_team_member(db::Conn& conn, std::int64_t team_id, std::int64_t volunteer_id) {
  return conn.exec("DELETE FROM volunteer_team_members WHERE team_id = $1 AND volunteer_id = $2",
                   {team_id, volunteer_id}) > 0;
}

// ---- activities ----

std::int64_t insert_activity(db::Conn& conn, const Activity& a) {
  return conn
      .query_one(
          "INSERT INTO volunteer_activities (team_id, area_id, street_id, path, title, content, "
          "venue, lat, lng, start_at, end_at, signup_deadline, capacity, points_per_hour, "
          "points_cap, open_area_path, required_skills, status, created_at, updated_at) VALUES "
          "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
          "$19, $19) RETURNING id",
          {a.team_id, a.area_id, a.street_id, a.path, a.title, a.content, a.venue, a.lat, a.lng,
           a.start_at, a.end_at, a.signup_deadline, a.capacity, a.points_per_hour, a.points_cap,
           a.open_area_path, join(a.required_skills), a.status, a.created_at})
      ->i64(0);
}

std::optional<Activity> find_activity(db::Conn& conn, std::int64_t id) {
  return first_row(conn, activity_row,
                   std::string("SELECT ") + kActivityColumns + " WHERE x.id = $1", {id});
}

void lock_activity(db::Conn& conn, std::int64_t id, std::int64_t now) {
  conn.exec("UPDATE volunteer_activities SET version = version + 1, updated_at = $2 WHERE id = $1",
            {id, now});
}

void set_activity_status(db::Conn& conn, std::int64_t id, const std::string& status,
                         const std::string& cancel_reason, std::int64_t now) {
  conn.exec(
      "UPDATE volunteer_activities SET status = $2, cancel_reason = $3, updated_at = $4, "
      "version = version + 1 WHERE id = $1",
      {id, status, cancel_reason, now});
}

std::vector<Activity> search_activities(db::Conn& conn, const std::vector<PathRange>& scopes,
                                        const std::vector<std::string>& open_paths,
                                        const ActivityQuery& q,
                                        const std::optional<PathRange>& area) {
  db::ParamList params;
  std::string sql =
      std::string("SELECT ") + kActivityColumns + " WHERE (" + scope_sql("x.path", scopes, params);
  if (!open_paths.empty()) {
    std::string in;
    for (const std::string& p : open_paths) in += (in.empty() ? "" : ", ") + params.add(p);
    sql += " OR (x.status <> 'draft' AND x.open_area_path IN (" + in + "))";
  }
  sql += ")";
  if (area) sql += " AND " + db::path_ranges_sql("x.path", std::span(&*area, 1), params);
  if (q.status) sql += " AND x.status = " + params.add(*q.status);
  if (q.team_id) sql += " AND x.team_id = " + params.add(*q.team_id);
  if (q.from) sql += " AND x.start_at >= " + params.add(*q.from);
  if (q.to) sql += " AND x.start_at < " + params.add(*q.to);
  if (q.before_id) sql += " AND x.id < " + params.add(*q.before_id);
  sql += " ORDER BY x.id DESC LIMIT " + params.add(q.limit + 1);
  return all_rows(conn, activity_row, sql, params.span());
}

std::vector<Activity> activities_to_start(db::Conn& conn, std::int64_t now) {
  return all_rows(conn, activity_row,
                  std::string("SELECT ") + kActivityColumns +
                      " WHERE x.status = 'published' AND x.start_at <= $1 ORDER BY x.id",
                  {now});
}

std::vector<Activity> activities_to_finish(db::Conn& conn, std::int64_t now) {
  return all_rows(conn, activity_row,
                  std::string("SELECT ") + kActivityColumns +
                      " WHERE x.status = 'running' AND x.end_at <= $1 ORDER BY x.id",
                  {now});
}

// ---- sign-ups ----

std::optional<Signup> find_signup(db::Conn& conn, std::int64_t activity_id,
                                  std::int64_t volunteer_id) {
  return first_row(
      conn, signup_row,
      std::string("SELECT ") + kSignupColumns + " WHERE s.activity_id = $1 AND s.volunteer_id = $2",
      {activity_id, volunteer_id});
}

std::int64_t count_signups(db::Conn& conn, std::int64_t activity_id, const std::string& status) {
  return conn
      .query_one("SELECT COUNT(*) FROM volunteer_signups WHERE activity_id = $1 AND status = $2",
                 {activity_id, status})
      ->i64(0);
}

std::optional<Signup> overlapping_signup(db::Conn& conn, std::int64_t volunteer_id,
                                         std::int64_t activity_id, std::int64_t start,
                                         std::int64_t end) {
  return first_row(conn, signup_row,
                   std::string("SELECT ") + kSignupColumns +
                       " WHERE s.volunteer_id = $1 AND s.activity_id <> $2 AND s.status "
                       "IN ('confirmed', 'waitlisted') AND x.status NOT IN ('cancelled') "
                       "AND s.start_at < $4 AND s.end_at > $3 ORDER BY s.start_at",
                   {volunteer_id, activity_id, start, end});
}

void upsert_signup(db::Conn& conn, const Signup& s, std::int64_t now) {
  conn.exec(
      "INSERT INTO volunteer_signups (activity_id, volunteer_id, status, start_at, end_at, "
      "queued_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6) ON CONFLICT "
      "(activity_id, volunteer_id) DO UPDATE SET status = excluded.status, queued_at = "
      "excluded.queued_at, updated_at = excluded.updated_at",
      {s.activity_id, s.volunteer_id, s.status, s.start_at, s.end_at, now});
}

void set_signup_status(db::Conn& conn, std::int64_t id, const std::string& status,
                       std::int64_t now) {
  conn.exec("UPDATE volunteer_signups SET status = $2, updated_at = $3 WHERE id = $1",
            {id, status, now});
}

std::optional<Signup> first_waitlisted(db::Conn& conn, std::int64_t activity_id) {
  return first_row(conn, signup_row,
                   std::string("SELECT ") + kSignupColumns +
                       " WHERE s.activity_id = $1 AND s.status = 'waitlisted' ORDER BY "
                       "s.queued_at, s.id LIMIT 1",
                   {activity_id});
}

std::int64_t waitlist_position(db::Conn& conn, const Signup& s) {
  return conn
      .query_one(
          "SELECT COUNT(*) FROM volunteer_signups WHERE activity_id = $1 AND status = "
          "'waitlisted' AND (queued_at < $2 OR (queued_at = $2 AND id <= $3))",
          {s.activity_id, s.queued_at, s.id})
      ->i64(0);
}

std::vector<Signup> signups_of_activity(db::Conn& conn, std::int64_t activity_id) {
  return all_rows(conn, signup_row,
                  std::string("SELECT ") + kSignupColumns +
                      " WHERE s.activity_id = $1 ORDER BY s.status, "
                      "s.queued_at, s.id",
                  {activity_id});
}

std::vector<Signup> signups_of_volunteer(db::Conn& conn, std::int64_t volunteer_id) {
  return all_rows(conn, signup_row,
                  std::string("SELECT ") + kSignupColumns +
                      " WHERE s.volunteer_id = $1 ORDER BY s.start_at DESC, "
                      "s.id DESC LIMIT 200",
                  {volunteer_id});
}

// ---- attendance ----

std::optional<Attendance> find_attendance(db::Conn& conn, std::int64_t id) {
  return first_row(conn, attendance_row,
                   std::string("SELECT ") + kAttendanceColumns + " WHERE t.id = $1", {id});
}

std::optional<Attendance> attendance_of(db::Conn& conn, std::int64_t activity_id,
                                        std::int64_t volunteer_id) {
  return first_row(conn, attendance_row,
                   std::string("SELECT ") + kAttendanceColumns +
                       " WHERE t.activity_id = $1 AND t.volunteer_id = $2",
                   {activity_id, volunteer_id});
}

std::int64_t insert_attendance(db::Conn& conn, const Attendance& a, std::int64_t now) {
  return conn
      .query_one(
          "INSERT INTO volunteer_attendance (activity_id, volunteer_id, path, check_in_at, "
          "check_out_at, check_in_method, check_out_method, distance_m, far_flag, auto_flag, "
          "minutes, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
          "$12, $13) RETURNING id",
          {a.activity_id, a.volunteer_id, a.path, a.check_in_at, a.check_out_at, a.check_in_method,
           a.check_out_method, a.distance_m, a.far_flag, a.auto_flag, a.minutes, a.status, now})
      ->i64(0);
}

bool check_out(db::Conn& conn, std::int64_t id, std::int64_t at, const std::string& method,
               bool auto_flag, std::int64_t minutes) {
  return conn.exec(
             "UPDATE volunteer_attendance SET check_out_at = $2, check_out_method = $3, "
             "auto_flag = $4, minutes = $5, status = 'pending' WHERE id = $1 AND status = "
             "'checked_in'",
             {id, at, method, auto_flag, minutes}) == 1;
}

bool verify_attendance(db::Conn& conn, std::int64_t id, const std::string& status,
                       std::optional<std::int64_t> minutes, const std::string& reason,
                       std::int64_t by, std::int64_t now) {
  return conn.exec(
             "UPDATE volunteer_attendance SET status = $2, verified_minutes = $3, verify_reason "
             "= $4, verified_by = $5, verified_at = $6 WHERE id = $1 AND status = 'pending'",
             {id, status, minutes, reason, by, now}) == 1;
}

std::vector<Attendance> attendance_of_activity(db::Conn& conn, std::int64_t activity_id) {
  return all_rows(
      conn, attendance_row,
      std::string("SELECT ") + kAttendanceColumns + " WHERE t.activity_id = $1 ORDER BY t.id",
      {activity_id});
}

std::vector<Attendance> verified_attendance_of(db::Conn& conn, std::int64_t volunteer_id,
                                               std::optional<std::int64_t> through_id) {
  return all_rows(
      conn, attendance_row,
      std::string("SELECT ") + kAttendanceColumns +
          " WHERE t.volunteer_id = $1 AND t.status IN ('approved', 'adjusted') AND t.id <= "
          "$2 ORDER BY t.check_in_at, t.id",
      {volunteer_id, through_id.value_or(INT64_MAX)});
}

std::int64_t count_unverified(db::Conn& conn, std::int64_t activity_id) {
  return conn
      .query_one(
          "SELECT COUNT(*) FROM volunteer_attendance WHERE activity_id = $1 AND status IN "
          "('checked_in', 'pending')",
          {activity_id})
      ->i64(0);
}

std::vector<Attendance> stale_open_attendance(db::Conn& conn, std::int64_t ended_before) {
  return all_rows(conn, attendance_row,
                  std::string("SELECT ") + kAttendanceColumns +
                      " WHERE t.status = 'checked_in' AND x.end_at <= $1 ORDER BY t.id",
                  {ended_before});
}

bool record_qr_scan(db::Conn& conn, std::int64_t activity_id, std::int64_t volunteer_id,
                    std::int64_t window, std::int64_t now) {
  return conn.exec(
             "INSERT INTO volunteer_qr_scans (activity_id, volunteer_id, time_window, at) VALUES "
             "($1, $2, $3, $4) ON CONFLICT DO NOTHING",
             {activity_id, volunteer_id, window, now}) == 1;
}

// ---- back-fill ----

std::int64_t insert_backfill(db::Conn& conn, const Backfill& b, std::optional<std::int64_t> by,
                             std::int64_t now) {
  return conn
      .query_one(
          "INSERT INTO volunteer_backfills (activity_id, volunteer_id, path, check_in_at, "
          "check_out_at, reason, status, requested_by, created_at) VALUES ($1, $2, $3, $4, $5, "
          "$6, 'pending', $7, $8) RETURNING id",
          {b.activity_id, b.volunteer_id, b.path, b.check_in_at, b.check_out_at, b.reason, by, now})
      ->i64(0);
}

std::optional<Backfill> find_backfill(db::Conn& conn, std::int64_t id) {
  return first_row(conn, backfill_row,
                   std::string("SELECT ") + kBackfillColumns + " WHERE b.id = $1", {id});
}

bool decide_backfill(db::Conn& conn, std::int64_t id, const std::string& status,
                     const std::string& note, std::int64_t by, std::int64_t now) {
  return conn.exec(
             "UPDATE volunteer_backfills SET status = $2, decision_note = $3, decided_by = $4, "
             "decided_at = $5 WHERE id = $1 AND status = 'pending'",
             {id, status, note, by, now}) == 1;
}

bool pending_backfill(db::Conn& conn, std::int64_t activity_id, std::int64_t volunteer_id) {
  return conn
      .query_one(
          "SELECT 1 FROM volunteer_backfills WHERE activity_id = $1 AND volunteer_id = $2 AND "
          "status = 'pending'",
          {activity_id, volunteer_id})
      .has_value();
}

std::vector<Backfill> search_backfills(db::Conn& conn, const std::vector<PathRange>& scopes,
                                       std::optional<std::int64_t> volunteer_id,
                                       const std::optional<std::string>& status) {
  db::ParamList params;
  std::string sql =
      std::string("SELECT ") + kBackfillColumns + " WHERE (" + scope_sql("b.path", scopes, params);
  if (volunteer_id) sql += " OR b.volunteer_id = " + params.add(*volunteer_id);
  sql += ")";
  if (status) sql += " AND b.status = " + params.add(*status);
  sql += " ORDER BY b.id DESC LIMIT 200";
  return all_rows(conn, backfill_row, sql, params.span());
}

// ---- points ----

Account pool_account(db::Conn& conn, std::int64_t area_id, const std::string& path,
                     std::int64_t now) {
  return area_account(conn, "pool", area_id, path, now);
}

Account shop_account(db::Conn& conn, std::int64_t area_id, const std::string& path,
                     std::int64_t now) {
  return area_account(conn, "shop", area_id, path, now);
}

Account volunteer_account(db::Conn& conn, std::int64_t volunteer_id, const std::string& path,
                          std::int64_t now) {
  conn.exec(
      "INSERT INTO points_accounts (kind, volunteer_id, path, balance, created_at) VALUES "
      "('volunteer', $1, $2, 0, $3) ON CONFLICT (volunteer_id) DO NOTHING",
      {volunteer_id, path, now});
  return account_row(
      *conn.query_one(std::string(kAccountColumns) + " WHERE volunteer_id = $1", {volunteer_id}));
}

std::optional<Account> find_account(db::Conn& conn, std::int64_t id) {
  return first_row(conn, account_row, std::string(kAccountColumns) + " WHERE id = $1", {id});
}

std::optional<std::int64_t> transfer(db::Conn& conn, const Transfer& t) {
  // The conditional debit is one statement, so two concurrent debits of the
  // same account cannot both pass the balance check (the row lock on
  // PostgreSQL, the single writer on SQLite).
  const std::int64_t debited = conn.exec(
      "UPDATE points_accounts SET balance = balance - $2 WHERE id = $1 AND (kind = 'pool' OR "
      "balance >= $2)",
      {t.from_account, t.amount});
  if (debited != 1) return std::nullopt;
  conn.exec("UPDATE points_accounts SET balance = balance + $2 WHERE id = $1",
            {t.to_account, t.amount});
  return conn
      .query_one(
          "INSERT INTO points_transfers (at, from_account, to_account, amount, kind, "
          "attendance_id, redemption_id, posting_key, reverses_id, memo, actor_id, actor_name) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
          {t.at, t.from_account, t.to_account, t.amount, t.kind, t.attendance_id, t.redemption_id,
           t.posting_key, t.reverses_id, t.memo, t.actor_id, t.actor_name})
      ->i64(0);
}

std::optional<Transfer> find_transfer(db::Conn& conn, std::int64_t id) {
  return first_row(
      conn, transfer_row,
      std::string("SELECT ") + kTransferColumns + " FROM points_transfers p WHERE p.id = $1", {id});
}

std::optional<Transfer> earning_of(db::Conn& conn, std::int64_t attendance_id) {
  return first_row(conn, transfer_row,
                   std::string("SELECT ") + kTransferColumns +
                       " FROM points_transfers p WHERE p.posting_key = $1",
                   {"earn:" + std::to_string(attendance_id)});
}

std::int64_t ledger_sum(db::Conn& conn, std::int64_t account_id) {
  return conn
      .query_one(
          "SELECT COALESCE(SUM(CASE WHEN to_account = $1 THEN amount ELSE 0 END), 0) - "
          "COALESCE(SUM(CASE WHEN from_account = $1 THEN amount ELSE 0 END), 0) FROM "
          "points_transfers WHERE from_account = $1 OR to_account = $1",
          {account_id})
      ->i64(0);
}

std::vector<LedgerRow> ledger_of(db::Conn& conn, std::int64_t account_id) {
  std::vector<LedgerRow> out;
  for (const db::Row& r : conn.query(
           std::string("SELECT ") + kTransferColumns +
               ", x.title, x.venue, g.name, ga.name, t.verified_minutes FROM points_transfers p "
               "LEFT JOIN volunteer_attendance t ON t.id = p.attendance_id LEFT JOIN "
               "volunteer_activities x ON x.id = t.activity_id LEFT JOIN volunteer_redemptions "
               "rd ON rd.id = p.redemption_id LEFT JOIN volunteer_gifts g ON g.id = rd.gift_id "
               "LEFT JOIN areas ga ON ga.id = g.area_id WHERE p.from_account = $1 OR "
               "p.to_account = $1 ORDER BY p.id",
           {account_id})) {
    LedgerRow row{transfer_row(r), r.text(13), r.text(14), r.text(15), r.text(16), r.opt_i64(17)};
    out.push_back(std::move(row));
  }
  return out;
}

std::int64_t credited_before(db::Conn& conn, std::int64_t account_id, std::int64_t before) {
  return conn
      .query_one(
          "SELECT COALESCE(SUM(amount), 0) FROM points_transfers WHERE to_account = $1 AND at "
          "<= $2",
          {account_id, before})
      ->i64(0);
}

std::int64_t debited_total(db::Conn& conn, std::int64_t account_id) {
  return conn
      .query_one("SELECT COALESCE(SUM(amount), 0) FROM points_transfers WHERE from_account = $1",
                 {account_id})
      ->i64(0);
}

std::vector<Account> volunteer_accounts_with_balance(db::Conn& conn) {
  return all_rows(
      conn, account_row,
      std::string(kAccountColumns) + " WHERE kind = 'volunteer' AND balance > 0 ORDER BY id");
}

// ---- gifts ----

std::int64_t insert_gift(db::Conn& conn, const Gift& g) {
  return conn
      .query_one(
          "INSERT INTO volunteer_gifts (area_id, path, name, description, points_price, stock, "
          "active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
          "RETURNING id",
          {g.area_id, g.path, g.name, g.description, g.points_price, g.stock, g.active,
           g.created_at})
      ->i64(0);
}

std::optional<Gift> find_gift(db::Conn& conn, std::int64_t id) {
  return first_row(conn, gift_row, std::string("SELECT ") + kGiftColumns + " WHERE g.id = $1",
                   {id});
}

void update_gift(db::Conn& conn, const Gift& g, std::int64_t now) {
  conn.exec(
      "UPDATE volunteer_gifts SET name = $2, description = $3, points_price = $4, stock = $5, "
      "active = $6, updated_at = $7 WHERE id = $1",
      {g.id, g.name, g.description, g.points_price, g.stock, g.active, now});
}

std::vector<Gift> gifts_in(db::Conn& conn, const std::vector<PathRange>& scopes, bool active_only) {
  db::ParamList params;
  std::string sql =
      std::string("SELECT ") + kGiftColumns + " WHERE " + scope_sql("g.path", scopes, params);
  if (active_only) sql += " AND g.active = 1";
  sql += " ORDER BY g.points_price, g.id LIMIT 500";
  return all_rows(conn, gift_row, sql, params.span());
}

bool take_stock(db::Conn& conn, std::int64_t gift_id, std::int64_t quantity, std::int64_t now) {
  return conn.exec(
             "UPDATE volunteer_gifts SET stock = stock - $2, updated_at = $3 WHERE id = $1 AND "
             "active = 1 AND stock >= $2",
             {gift_id, quantity, now}) == 1;
}

void return_stock(db::Conn& conn, std::int64_t gift_id, std::int64_t quantity, std::int64_t now) {
  conn.exec("UPDATE volunteer_gifts SET stock = stock + $2, updated_at = $3 WHERE id = $1",
            {gift_id, quantity, now});
}

std::int64_t insert_redemption(db::Conn& conn, const Redemption& r) {
  return conn
      .query_one(
          "INSERT INTO volunteer_redemptions (gift_id, volunteer_id, path, quantity, points, "
          "pickup_code, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'reserved', $7) "
          "RETURNING id",
          {r.gift_id, r.volunteer_id, r.path, r.quantity, r.points, r.pickup_code, r.created_at})
      ->i64(0);
}

std::optional<Redemption> find_redemption(db::Conn& conn, std::int64_t id) {
  return first_row(conn, redemption_row,
                   std::string("SELECT ") + kRedemptionColumns + " WHERE r.id = $1", {id});
}

bool close_redemption(db::Conn& conn, std::int64_t id, const std::string& status,
                      std::optional<std::int64_t> by, std::int64_t now) {
  return conn.exec(
             "UPDATE volunteer_redemptions SET status = $2, handled_by = $3, closed_at = $4 "
             "WHERE id = $1 AND status = 'reserved'",
             {id, status, by, now}) == 1;
}

std::vector<Redemption> search_redemptions(db::Conn& conn, const std::vector<PathRange>& scopes,
                                           std::optional<std::int64_t> volunteer_id,
                                           const std::optional<std::string>& status) {
  db::ParamList params;
  std::string sql = std::string("SELECT ") + kRedemptionColumns + " WHERE (" +
                    scope_sql("r.path", scopes, params);
  if (volunteer_id) sql += " OR r.volunteer_id = " + params.add(*volunteer_id);
  sql += ")";
  if (status) sql += " AND r.status = " + params.add(*status);
  sql += " ORDER BY r.id DESC LIMIT 200";
  return all_rows(conn, redemption_row, sql, params.span());
}

// ---- recognition ----

std::vector<RankingRow> ranking(db::Conn& conn, const PathRange& area, std::int64_t from,
                                std::int64_t to, bool by_points, int limit) {
  // Hours: verified records that started in the period. Points: earnings
  // posted in the period. Ties: the smaller volunteer number first, then id.
  const std::string sql =
      "SELECT v.id, v.number, v.name, a.name, "
      "COALESCE((SELECT SUM(t.verified_minutes) FROM volunteer_attendance t WHERE "
      "t.volunteer_id = v.id AND t.status IN ('approved', 'adjusted') AND t.check_in_at >= $3 "
      "AND t.check_in_at < $4), 0) AS minutes, "
      "COALESCE((SELECT SUM(p.amount) FROM points_transfers p JOIN points_accounts pa ON pa.id = "
      "p.to_account WHERE pa.volunteer_id = v.id AND p.kind = 'earn' AND p.at >= $3 AND p.at < "
      "$4), 0) AS points FROM volunteers v JOIN areas a ON a.id = v.area_id WHERE v.status = "
      "'approved' AND v.path >= $1 AND v.path < $2";
  std::vector<RankingRow> rows;
  for (const db::Row& r : conn.query(sql, {area.from, area.to, from, to})) {
    RankingRow row;
    row.volunteer_id = r.i64(0);
    row.number = r.opt_i64(1);
    row.name = r.text(2);
    row.area_name = r.text(3);
    row.minutes = r.i64(4);
    row.points = r.i64(5);
    if ((by_points ? row.points : row.minutes) > 0) rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [by_points](const RankingRow& a, const RankingRow& b) {
    const std::int64_t va = by_points ? a.points : a.minutes, vb = by_points ? b.points : b.minutes;
    if (va != vb) return va > vb;
    const std::int64_t na = a.number.value_or(INT64_MAX), nb = b.number.value_or(INT64_MAX);
    if (na != nb) return na < nb;
    return a.volunteer_id < b.volunteer_id;
  });
  // Competition ranking: equal values share a rank (1, 1, 3).
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto value = [by_points](const RankingRow& r) {
      return by_points ? r.points : r.minutes;
    };
    rows[i].rank = (i > 0 && value(rows[i]) == value(rows[i - 1])) ? rows[i - 1].rank
                                                                   : static_cast<int>(i + 1);
  }
  if (rows.size() > static_cast<std::size_t>(limit)) rows.resize(static_cast<std::size_t>(limit));
  return rows;
}

std::int64_t insert_certificate(db::Conn& conn, const Certificate& c, std::int64_t through_id,
                                std::int64_t by) {
  return conn
      .query_one(
          "INSERT INTO volunteer_certificates (number, volunteer_id, issuer, total_minutes, "
          "record_count, through_attendance_id, issued_by, issued_at) VALUES ($1, $2, $3, $4, "
          "$5, $6, $7, $8) RETURNING id",
          {c.number, c.volunteer_id, c.issuer, c.total_minutes, c.record_count, through_id, by,
           c.issued_at})
      ->i64(0);
}

std::optional<CertificateRow> find_certificate(db::Conn& conn, const std::string& number) {
  auto r = conn.query_one(
      "SELECT c.number, c.volunteer_id, v.name, v.id_number_masked, v.number, c.issuer, "
      "c.total_minutes, c.record_count, c.issued_at, c.through_attendance_id FROM "
      "volunteer_certificates c JOIN volunteers v ON v.id = c.volunteer_id WHERE c.number = $1",
      {number});
  if (!r) return std::nullopt;
  CertificateRow row;
  row.cert = {r->text(0), r->i64(1), r->text(2), r->text(3), r->opt_i64(4),
              r->text(5), r->i64(6), r->i64(7),  r->i64(8),  {}};
  row.through_attendance_id = r->i64(9);
  return row;
}

// ---- names ----

std::string area_name(db::Conn& conn, std::int64_t area_id) {
  auto r = conn.query_one("SELECT name FROM areas WHERE id = $1", {area_id});
  return r ? r->text(0) : "";
}

std::optional<ResidentBrief> find_resident(db::Conn& conn, std::int64_t id) {
  auto r = conn.query_one(
      "SELECT id, name, path, id_number_masked, phone_masked, grid_id, street_id FROM residents "
      "WHERE id = $1",
      {id});
  if (!r) return std::nullopt;
  return ResidentBrief{r->i64(0),  r->text(1), r->text(2),   r->text(3),
                       r->text(4), r->i64(5),  r->opt_i64(6)};
}

// ---- demo data ----

std::vector<AreaBrief> communities(db::Conn& conn) {
  std::vector<AreaBrief> out;
  for (const db::Row& r :
       conn.query("SELECT id, name, path FROM areas WHERE level = 'community' ORDER BY id"))
    out.push_back({r.i64(0), r.text(1), r.text(2)});
  return out;
}

std::vector<DemoResident> residents_with_phone(db::Conn& conn, const PathRange& area) {
  std::vector<DemoResident> out;
  for (const db::Row& r : conn.query(
           "SELECT id, name, COALESCE(birth_date, ''), phone_enc FROM residents WHERE path >= $1 "
           "AND path < $2 AND phone_enc IS NOT NULL ORDER BY id",
           {area.from, area.to}))
    out.push_back({r.i64(0), r.text(1), r.text(2), r.blob(3)});
  return out;
}

std::optional<auth::Principal> principal_of_user(db::Conn& conn, std::int64_t user_id) {
  auto rows = conn.query(
      "SELECT u.id, COALESCE(u.username, ''), u.display_name, u.kind, u.resident_id, g.role, "
      "g.area_id, a.path, a.name, a.level FROM users u LEFT JOIN role_grants g ON g.user_id = "
      "u.id LEFT JOIN areas a ON a.id = g.area_id WHERE u.id = $1 ORDER BY g.id",
      {user_id});
  if (rows.empty()) return std::nullopt;
  auth::Principal p;
  p.user_id = rows.front().i64(0);
  p.username = rows.front().text(1);
  p.display_name = rows.front().text(2);
  p.kind = rows.front().text(3);
  p.resident_id = rows.front().opt_i64(4);
  for (const db::Row& r : rows) {
    if (r.is_null(5)) continue;
    if (auto role = auth::role_from_name(r.text(5)))
      p.grants.push_back({*role, r.i64(6), r.text(7), r.text(8), r.text(9)});
  }
  return p;
}

std::optional<std::int64_t> user_id_by_username(db::Conn& conn, const std::string& username) {
  auto row = conn.query_one("SELECT id FROM users WHERE username = $1", {username});
  if (!row) return std::nullopt;
  return row->i64(0);
}

}  // namespace cg::volunteers::store

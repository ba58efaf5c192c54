// The records of the volunteers capability (志愿服务 and the 公益兑换储蓄银行):
// volunteers and teams, activities and sign-ups, attendance with verified
// hours, the points ledger, gifts and redemptions, certificates, rankings.
// Times are epoch milliseconds; durations are whole minutes; points are
// whole numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cg::volunteers {

struct Volunteer {
  std::int64_t id = 0;
  std::optional<std::int64_t> number;  // given on approval, unique in the deployment
  std::int64_t user_id = 0;
  std::optional<std::int64_t> resident_id;
  std::string kind;  // resident | staff
  std::string name;
  std::int64_t area_id = 0;
  std::string area_name;
  std::optional<std::int64_t> street_id;
  std::string path;
  std::string id_number_masked;
  std::string phone_masked;
  std::vector<std::string> skills;
  std::string available_times;
  std::string status;  // pending | approved | rejected
  std::string decision_note;
  std::optional<std::int64_t> decided_at;
  std::int64_t created_at = 0;
  // Figures (filled where a response shows them).
  std::int64_t verified_minutes = 0;
  std::int64_t balance = 0;
  int stars = 0;
};

struct Registration {
  std::vector<std::string> skills;
  std::string available_times;
};

struct VolunteerQuery {
  std::optional<std::string> status;
  std::optional<std::int64_t> area_id;
  std::optional<std::string> q;
  std::optional<std::int64_t> before_id;
  int limit = 20;
};

struct Team {
  std::int64_t id = 0;
  std::string name;
  std::string kind;  // community | street | party_branch
  std::int64_t area_id = 0;
  std::string area_name;
  std::string path;
  std::string description;
  std::int64_t member_count = 0;
  std::int64_t created_at = 0;
};

struct TeamMember {
  std::int64_t volunteer_id = 0;
  std::optional<std::int64_t> number;
  std::string name;
  std::string role;  // member | leader
  std::int64_t joined_at = 0;
};

struct NewTeam {
  std::string name;
  std::string kind;
  std::int64_t area_id = 0;
  std::string description;
};

struct Activity {
  std::int64_t id = 0;
  std::int64_t team_id = 0;
  std::string team_name;
  std::int64_t area_id = 0;
  std::string area_name;
  std::optional<std::int64_t> street_id;
  std::string path;
  std::string title;
  std::string content;
  std::string venue;
  std::optional<double> lat, lng;
  std::int64_t start_at = 0, end_at = 0, signup_deadline = 0;
  std::int64_t capacity = 0;
  std::int64_t points_per_hour = 0, points_cap = 0;
  std::string open_area_path;  // volunteers living inside may join
  std::vector<std::string> required_skills;
  std::string status;  // draft | published | running | finished | verified | cancelled
  std::string cancel_reason;
  std::int64_t version = 1;
  std::int64_t created_at = 0, updated_at = 0;
  std::int64_t confirmed = 0, waitlisted = 0;  // sign-up counts
};

struct NewActivity {
  std::int64_t team_id = 0;
  std::optional<std::int64_t> area_id;  // default: the team's area
  std::string title, content, venue;
  std::optional<double> lat, lng;
  std::int64_t start_at = 0, end_at = 0;
  std::optional<std::int64_t> signup_deadline;  // default: the start
  std::int64_t capacity = 0;
  std::int64_t points_per_hour = 0, points_cap = 0;
  std::optional<std::int64_t> open_area_id;  // default: the activity's area
  std::vector<std::string> required_skills;
};

struct ActivityQuery {
  std::optional<std::string> status;
  std::optional<std::int64_t> area_id;
  std::optional<std::int64_t> team_id;
  std::optional<std::int64_t> from, to;  // start_at in [from, to)
  std::optional<std::int64_t> before_id;
  int limit = 20;
};

struct Signup {
  std::int64_t id = 0;
  std::int64_t activity_id = 0;
  std::string activity_title;
  std::int64_t volunteer_id = 0;
  std::string volunteer_name;
  std::optional<std::int64_t> volunteer_number;
  std::string status;  // confirmed | waitlisted | cancelled
  std::int64_t start_at = 0, end_at = 0;
  std::int64_t queued_at = 0;
  std::optional<std::int64_t> waitlist_position;  // 1-based, waitlisted only
};

struct Attendance {
  std::int64_t id = 0;
  std::int64_t activity_id = 0;
  std::string activity_title;
  std::int64_t volunteer_id = 0;
  std::string volunteer_name;
  std::string path;
  std::int64_t check_in_at = 0;
  std::optional<std::int64_t> check_out_at;
  std::string check_in_method;
  std::optional<std::string> check_out_method;
  std::optional<std::int64_t> distance_m;
  bool far_flag = false;
  bool auto_flag = false;
  std::int64_t minutes = 0;  // actual time cut to the activity's window
  std::string status;        // checked_in | pending | approved | adjusted | rejected
  std::optional<std::int64_t> verified_minutes;
  std::string verify_reason;
  std::optional<std::int64_t> verified_at;
  std::optional<std::int64_t> points;  // earned on verification
};

struct Backfill {
  std::int64_t id = 0;
  std::int64_t activity_id = 0;
  std::string activity_title;
  std::int64_t volunteer_id = 0;
  std::string volunteer_name;
  std::string path;
  std::int64_t check_in_at = 0, check_out_at = 0;
  std::string reason;
  std::string status;  // pending | approved | rejected
  std::string decision_note;
  std::optional<std::int64_t> decided_at;
  std::optional<std::int64_t> attendance_id;
  std::int64_t created_at = 0;
};

struct Account {
  std::int64_t id = 0;
  std::string kind;  // pool | volunteer | shop
  std::optional<std::int64_t> area_id;
  std::optional<std::int64_t> volunteer_id;
  std::string path;
  std::int64_t balance = 0;
};

struct Transfer {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::int64_t from_account = 0, to_account = 0;
  std::int64_t amount = 0;
  std::string kind;  // earn | redeem | refund | adjust | reverse | expire
  std::optional<std::int64_t> attendance_id, redemption_id, reverses_id;
  std::optional<std::string> posting_key;
  std::string memo;
  std::optional<std::int64_t> actor_id;
  std::string actor_name;
};

// One line of the 爱心存折: a transfer seen from the volunteer's account.
struct PassbookLine {
  std::int64_t transfer_id = 0;
  std::int64_t at = 0;
  std::string kind;
  std::string description;              // activity title, gift name or the reason
  std::string place;                    // venue, or the gift shop's area
  std::optional<std::int64_t> minutes;  // verified service time, for earnings
  std::int64_t points = 0;              // + credit, − debit
  std::int64_t balance = 0;             // running balance after this line
};

struct Passbook {
  Volunteer volunteer;
  std::vector<PassbookLine> lines;
  std::int64_t balance = 0;
  std::int64_t verified_minutes = 0;
};

struct Gift {
  std::int64_t id = 0;
  std::int64_t area_id = 0;
  std::string area_name;
  std::string path;
  std::string name, description;
  std::int64_t points_price = 0;
  std::int64_t stock = 0;
  bool active = true;
  std::int64_t created_at = 0;
};

struct GiftInput {
  std::optional<std::int64_t> area_id;
  std::optional<std::string> name, description;
  std::optional<std::int64_t> points_price, stock;
  std::optional<bool> active;
};

struct Redemption {
  std::int64_t id = 0;
  std::int64_t gift_id = 0;
  std::string gift_name;
  std::int64_t volunteer_id = 0;
  std::string volunteer_name;
  std::string path;
  std::int64_t quantity = 0, points = 0;
  std::string pickup_code;
  std::string status;  // reserved | completed | cancelled
  std::int64_t created_at = 0;
  std::optional<std::int64_t> closed_at;
  bool callers_own = false;  // the caller is the volunteer (may see the pick-up code)
};

struct RankingQuery {
  std::optional<std::int64_t> area_id;
  std::string period = "month";  // week | month | year
  std::optional<std::string> date;
  std::string by = "hours";  // hours | points
  int limit = 20;
};

struct RankingRow {
  int rank = 0;
  std::int64_t volunteer_id = 0;
  std::optional<std::int64_t> number;
  std::string name;
  std::string area_name;
  std::int64_t minutes = 0;
  std::int64_t points = 0;
};

struct Ranking {
  std::int64_t area_id = 0;
  std::string area_name;
  std::string period, by;
  std::int64_t from = 0, to = 0;
  std::vector<RankingRow> rows;
};

struct Certificate {
  std::string number;
  std::int64_t volunteer_id = 0;
  std::string name;
  std::string id_number_masked;
  std::optional<std::int64_t> volunteer_number;
  std::string issuer;
  std::int64_t total_minutes = 0;
  std::int64_t record_count = 0;
  std::int64_t issued_at = 0;
  std::vector<Attendance> records;  // the verified records it certifies
};

struct Notice {
  std::int64_t id = 0;
  std::optional<std::int64_t> activity_id;
  std::string kind;
  std::string message;
  std::int64_t created_at = 0;
};

struct Settings {
  std::vector<std::int64_t> star_hours{100, 300, 600, 1000, 1500};
  std::int64_t points_expiry_days = 0;  // 0: points never expire
  std::int64_t checkin_distance_m = 500;
};

// What one pass of the scheduler did.
struct SweepReport {
  int started = 0, finished = 0, auto_checked_out = 0, expired_accounts = 0;
};

}  // namespace cg::volunteers

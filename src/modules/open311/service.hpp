// The Open311 GeoReport v2 service: case categories offered as services, cases
// shown as service requests (public fields only, phone and ID numbers masked
// in free text), filing by client programs holding an API key, and the admin
// side of those keys.
//
// Filing goes through cases::CaseService::create_for_program, so a request is
// an ordinary case (source "open311") with the category's working-day
// deadlines, its timeline and audit record; this service only decides which
// grid, and whether the key may file there (the key's area subtree).
//
// Keys: 256 random bits, shown once when issued, stored as a BLAKE2b hash.
// Issuing, listing and revoking need a platform or street admin role over the
// client's area (outside it: 404); each write is audited.
//
// Thread safety: stateless apart from references; safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "modules/auth/model.hpp"
#include "modules/open311/model.hpp"

namespace cg {
class App;
namespace cases {
class CaseService;
}
}  // namespace cg

namespace cg::open311 {

inline constexpr std::int64_t kWindowMs = 90LL * 24 * 3'600'000;  // the spec's default window
inline constexpr int kMaxResults = 1000;
inline constexpr std::size_t kMaxIds = 100;

class Open311Service {
 public:
  Open311Service(App& app, cases::CaseService& cases) : app_(app), cases_(cases) {}

  // ---- public reads ----
  std::vector<Service> services() const;
  Result<Service> service(const std::string& code) const;  // 404 for an unknown code
  Result<std::vector<ServiceRequest>> requests(const RequestQuery& query) const;
  Result<ServiceRequest> request(std::int64_t id, bool extensions) const;
  // The service request a token stands for.
  Result<std::int64_t> token(const std::string& token) const;

  // ---- filing by a client program ----
  // The client holding `api_key`; 403 when it is missing, unknown or revoked.
  Result<Client> client_for_key(const std::string& api_key) const;
  // `address`/`request_id` of the HTTP request, for the audit log.
  Result<Receipt> submit(const Client& client, const Submission& input, const std::string& address,
                         const std::string& request_id) const;

  // ---- keys (admin API) ----
  Result<IssuedKey> issue(const auth::Actor& actor, const NewClient& input) const;
  Result<std::vector<Client>> clients(const auth::Actor& actor) const;
  Result<Client> revoke(const auth::Actor& actor, std::int64_t id) const;

  std::int64_t now() const;
  std::chrono::minutes utc_offset() const;

 private:
  Result<std::int64_t> grid_for(const Client& client, const Submission& input) const;

  App& app_;
  cases::CaseService& cases_;
};

// Masks what looks like a mainland mobile number (11 digits from 1, a +86/86
// prefix, spaces or dashes between digits allowed) or an ID number (15 or 18
// characters) inside free text: "电话 138 1234 5678" → "电话 138****5678".
std::string mask_numbers_in_text(std::string_view text);

}  // namespace cg::open311

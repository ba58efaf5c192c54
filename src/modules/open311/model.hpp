// Records of the Open311 GeoReport v2 module: the client programs holding API
// keys, services (case categories seen through Open311), service requests
// (cases with their public fields only) and the inputs of the endpoints.
//
// A ServiceRequest never carries the reporter's name, phone or household, and
// its free text has phone and ID numbers masked: GET requests is public.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cg::open311 {

// ---- client programs and their keys ------------------------------------------------

struct Client {
  std::int64_t id = 0;
  std::string name;
  std::string key_prefix;  // the first characters of the key, to tell keys apart
  std::int64_t area_id = 0;
  std::string area_path;
  std::string area_name;
  std::optional<std::int64_t> issued_by;
  std::string issued_by_name;
  std::int64_t issued_at = 0;
  bool revoked = false;
  std::optional<std::int64_t> revoked_at;
};

struct NewClient {
  std::string name;
  std::int64_t area_id = 0;
};

// A freshly issued key: the only time the key itself is ever shown.
struct IssuedKey {
  Client client;
  std::string api_key;
};

// ---- services ---------------------------------------------------------------------

struct Service {
  std::int64_t category_id = 0;
  std::string code;  // the category code, e.g. "SR01"
  std::string name;
  std::string description;
  std::string group;  // the parent category's name
  std::string keywords;
  std::string notice;  // the time limits, as a sentence
};

// ---- service requests -------------------------------------------------------------

struct PublicEvent {
  std::int64_t at = 0;
  std::string action;       // the case action, e.g. "dispatch"
  std::string action_name;  // 派遣
  std::string status;       // the case status after it
  std::string role;         // the actor's role, never the person
  std::string note;         // public notes only, masked
};

struct ServiceRequest {
  std::int64_t id = 0;
  std::string number;       // MQ20261123-0001 (extension)
  std::string status;       // open | closed
  std::string case_status;  // the full status (extension)
  std::string status_notes;
  std::string service_code;
  std::string service_name;
  std::string description;  // title and description, masked
  std::string agency_responsible;
  std::string service_notice;
  std::int64_t requested_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> expected_at;
  std::string address;
  std::optional<std::int64_t> address_id;  // the building
  std::optional<double> lat;
  std::optional<double> lng;
  std::string grid_name;              // extension
  std::vector<PublicEvent> timeline;  // filled only when extensions are asked for
};

// GET requests: the spec's filters. Times in epoch ms.
struct RequestQuery {
  std::vector<std::int64_t> ids;  // service_request_id list; when set, the others are ignored
  std::optional<std::string> service_code;
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> end;
  std::optional<std::string> status;  // open | closed
  bool extensions = false;
};

// POST requests, as read from the form.
struct Submission {
  std::string service_code;
  std::optional<double> lat;
  std::optional<double> lng;
  std::string address;                      // address_string
  std::optional<std::int64_t> building_id;  // address_id: our building id
  std::string description;
  std::optional<std::string> title;     // attribute[title]
  std::optional<std::string> priority;  // attribute[priority]
  std::string reporter_name;            // first_name + last_name
  std::string reporter_phone;           // phone
};

struct Receipt {
  std::int64_t case_id = 0;
  std::string token;
  std::string service_notice;
};

}  // namespace cg::open311

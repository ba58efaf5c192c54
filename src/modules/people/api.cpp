// HTTP routes of the residents registry: parse the request, call the
// PeopleService, write JSON (or the exported file).
#include <fmt/format.h>
#include <boost/json.hpp>

#include "app/api.hpp"
#include "app/app.hpp"
#include "core/json_writer.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "modules/people/module.hpp"
#include "modules/people/service.hpp"

namespace cg::people {
namespace {

namespace json = boost::json;
using http::Need;

constexpr std::size_t kMaxQueryTags = 10;

// A resident's fields, written straight into the response (no value tree:
// a page of 20 residents was ~300 Boost.JSON allocations per request).
void write_resident_fields(JsonWriter& w, const Resident& r) {
  w.member("id", r.id)
      .member("name", r.name)
      .member("gender", r.gender)
      .member("birth_date", r.birth_date)
      .member("age", age_of(r))
      .member("id_number_masked", r.id_number_masked)
      .member("phone_masked", r.phone_masked)
      .member("residence_type", r.residence_type)
      .member("relation", r.relation);
  w.key("tags").begin_array();
  for (const std::string& t : r.tags) w.value(t);
  w.end_array();
  w.key("household").begin_object();
  w.member("id", r.household_id).member("address", r.household_address).end_object();
  w.key("grid").begin_object().member("id", r.grid_id).member("name", r.grid_name).end_object();
}

JsonWriter resident_detail_json(const Resident& r) {
  JsonWriter w(1024 + r.notes.size());
  w.begin_object();
  write_resident_fields(w, r);
  w.member("notes", r.notes).member("created_at", r.created_at).member("updated_at", r.updated_at);
  w.end_object();
  return w;
}

JsonWriter resident_page_json(const std::vector<Resident>& items,
                              const std::optional<std::string>& next_cursor) {
  JsonWriter w(256 + 512 * items.size());
  w.begin_object().key("items").begin_array();
  for (const Resident& r : items) {
    w.begin_object();
    write_resident_fields(w, r);
    w.end_object();
  }
  w.end_array().member("next_cursor", next_cursor).end_object();
  return w;
}

Result<SearchQuery> read_search(const http::Request& req) {
  http::QueryFields fields(req);
  SearchQuery q;
  q.q = fields.text("q", 100);
  q.area_id = fields.integer("area", 1, INT64_MAX);
  q.cursor = fields.text("cursor", 40);
  q.limit = static_cast<int>(fields.integer("limit", 1, 200).value_or(20));
  for (std::string& tag : req.query_params("tag")) {
    if (tag.empty()) continue;
    if (tag.size() > 80 || q.tags.size() >= kMaxQueryTags) {
      fields.add_error("tag", "format",
                       fmt::format("最多{}个标签，每个不超过20个字符", kMaxQueryTags));
      break;
    }
    q.tags.push_back(std::move(tag));
  }
  if (auto ok = fields.finish(); !ok) return fail(ok.error());
  return q;
}

// The body of a create (required fields enforced by the service's
// validation, so that JSON and spreadsheet rows get the same messages) or a
// patch (empty strings clear phone, ID number and notes).
ResidentInput read_resident(http::Fields& f, bool patch) {
  ResidentInput in;
  in.household_id = f.integer("household_id", patch ? Need::optional : Need::required, 1);
  in.name = f.text("name", patch ? Need::optional : Need::required, 50);
  in.gender = f.one_of("gender", Need::optional, {"male", "female"});
  in.birth_date = f.date("birth_date", Need::optional);
  in.id_number = f.text("id_number", Need::optional, 32, 0);
  in.phone = f.text("phone", Need::optional, 32, 0);
  in.relation = f.one_of("relation", patch ? Need::optional : Need::required,
                         {"head", "spouse", "child", "parent", "grandchild", "sibling", "other"});
  in.residence_type = f.one_of("residence_type", patch ? Need::optional : Need::required,
                               {"registered", "resident", "floating"});
  in.tags = f.text_list("tags", Need::optional, 20, 20);
  in.notes = f.text("notes", Need::optional, 500, 0);
  return in;
}

json::object report_json(const ImportReport& r) {
  json::array errors;
  for (const ImportRowError& e : r.errors) {
    errors.push_back(
        {{"row", e.row}, {"field", e.field}, {"code", e.code}, {"message", e.message}});
  }
  return {{"dry_run", r.dry_run},       {"encoding", r.encoding}, {"total_rows", r.total_rows},
          {"valid_rows", r.valid_rows}, {"imported", r.imported}, {"error_count", r.error_count},
          {"errors", std::move(errors)}};
}

std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

http::Response file_response(const ExportFile& file) {
  http::Response res;
  res.content_type = file.content_type;
  res.body = file.bytes;
  const std::string ext = file.file_name.substr(file.file_name.rfind('.'));
  // RFC 6266/5987: an ASCII name for old clients, the Chinese one for the rest.
  res.set_header("Content-Disposition",
                 fmt::format("attachment; filename=\"residents{}\"; filename*=UTF-8''{}", ext,
                             percent_encode(file.file_name)));
  res.set_header("X-Export-Rows", std::to_string(file.rows));
  return res;
}

bool is_spreadsheet_type(std::string_view type) {
  // Browsers on Windows label .csv files application/vnd.ms-excel.
  for (std::string_view ok :
       {"text/csv", "text/plain", "application/vnd.ms-excel", "application/octet-stream"}) {
    if (type.substr(0, ok.size()) == ok) return true;
  }
  return false;
}

class PeopleModule : public Module {
 public:
  explicit PeopleModule(App& app) : app_(app), service_(app) {}
  std::string_view name() const override { return "people"; }
  void add_routes(http::Router& router) override;

 private:
  api::Reply list(http::Request& req, const auth::Actor& actor);
  api::Reply get(http::Request& req, const auth::Actor& actor);
  api::Reply create(http::Request& req, const auth::Actor& actor);
  api::Reply update(http::Request& req, const auth::Actor& actor);
  api::Reply remove(http::Request& req, const auth::Actor& actor);
  api::Reply reveal(http::Request& req, const auth::Actor& actor);
  api::Reply list_tags(http::Request& req, const auth::Actor& actor);
  api::Reply create_tag(http::Request& req, const auth::Actor& actor);
  api::Reply import(http::Request& req, const auth::Actor& actor);
  api::Reply export_(http::Request& req, const auth::Actor& actor);

  App& app_;
  PeopleService service_;
};

void PeopleModule::add_routes(http::Router& router) {
  using Self = PeopleModule;
  const auto bind = [this](auto method) { return api::guard(app_, this, method); };
  router.get("/api/v1/residents", bind(&Self::list));
  router.post("/api/v1/residents", bind(&Self::create));
  router.get("/api/v1/residents/export", bind(&Self::export_));
  router.post("/api/v1/residents/import", bind(&Self::import));
  router.get("/api/v1/residents/{id}", bind(&Self::get));
  router.patch("/api/v1/residents/{id}", bind(&Self::update));
  router.del("/api/v1/residents/{id}", bind(&Self::remove));
  router.post("/api/v1/residents/{id}/reveal", bind(&Self::reveal));
  router.get("/api/v1/tags", bind(&Self::list_tags));
  router.post("/api/v1/tags", bind(&Self::create_tag));
}

api::Reply PeopleModule::list(http::Request& req, const auth::Actor& actor) {
  auto query = read_search(req);
  if (!query) return fail(query.error());
  auto page = service_.list(actor, *query);
  if (!page) return fail(page.error());
  return http::ok(resident_page_json(page->items, page->next_cursor));
}

api::Reply PeopleModule::get(http::Request& req, const auth::Actor& actor) {
  auto id = api::id_param(req);
  if (!id) return fail(id.error());
  auto r = service_.get(actor, *id);
  if (!r) return fail(r.error());
  return http::ok(resident_detail_json(*r));
}

api::Reply PeopleModule::create(http::Request& req, const auth::Actor& actor) {
  auto input =
      api::read_body<ResidentInput>(req, [](http::Fields& f) { return read_resident(f, false); });
  if (!input) return fail(input.error());
  auto r = service_.create(actor, *input);
  if (!r) return fail(r.error());
  return http::created(resident_detail_json(*r));
}

api::Reply PeopleModule::update(http::Request& req, const auth::Actor& actor) {
  auto id = api::id_param(req);
  if (!id) return fail(id.error());
  auto input =
      api::read_body<ResidentInput>(req, [](http::Fields& f) { return read_resident(f, true); });
  if (!input) return fail(input.error());
  auto r = service_.update(actor, *id, *input);
  if (!r) return fail(r.error());
  return http::ok(resident_detail_json(*r));
}

api::Reply PeopleModule::remove(http::Request& req, const auth::Actor& actor) {
  auto id = api::id_param(req);
  if (!id) return fail(id.error());
  if (auto ok = service_.remove(actor, *id); !ok) return fail(ok.error());
  return http::no_content();
}

api::Reply PeopleModule::reveal(http::Request& req, const auth::Actor& actor) {
  auto id = api::id_param(req);
  if (!id) return fail(id.error());
  struct Body {
    std::string field, reason;
  };
  auto body = api::read_body<Body>(req, [](http::Fields& f) {
    return Body{f.one_of("field", Need::required, {"id_number", "phone"}).value_or(""),
                f.text("reason", Need::required, 200, 2).value_or("")};
  });
  if (!body) return fail(body.error());
  auto value = service_.reveal(actor, *id, body->field, body->reason);
  if (!value) return fail(value.error());
  return http::ok(json::object{{"value", *value}});
}

api::Reply PeopleModule::list_tags(http::Request&, const auth::Actor& actor) {
  auto tags = service_.tags(actor);
  if (!tags) return fail(tags.error());
  json::array items;
  for (const Tag& t : *tags) {
    json::object o{{"name", t.name}, {"builtin", t.builtin}};
    if (t.community_id) o["community_id"] = *t.community_id;
    items.push_back(std::move(o));
  }
  return http::ok(json::object{{"items", std::move(items)}});
}

api::Reply PeopleModule::create_tag(http::Request& req, const auth::Actor& actor) {
  struct Body {
    std::string name;
    std::int64_t community_id = 0;
  };
  auto body = api::read_body<Body>(req, [](http::Fields& f) {
    return Body{f.text("name", Need::required, 20).value_or(""),
                f.integer("community_id", Need::required, 1).value_or(0)};
  });
  if (!body) return fail(body.error());
  auto tag = service_.create_tag(actor, body->name, body->community_id);
  if (!tag) return fail(tag.error());
  return http::created(
      json::object{{"name", tag->name}, {"builtin", false}, {"community_id", body->community_id}});
}

api::Reply PeopleModule::import(http::Request& req, const auth::Actor& actor) {
  http::QueryFields fields(req);
  const bool dry_run = fields.boolean("dry_run").value_or(true);
  auto community = fields.integer("community", 1, INT64_MAX);
  if (auto ok = fields.finish(); !ok) return fail(ok.error());
  if (!community) return fail(errors::invalid_field("community", "required", "请指定社区"));
  if (req.body.size() > kMaxImportBytes) return fail(errors::too_large("导入文件不能超过10MB"));
  if (!is_spreadsheet_type(req.header("content-type"))) {
    return fail(errors::unsupported_media_type("请以 text/csv 上传 CSV 文件"));
  }
  auto report = service_.import_file(actor, req.body, *community, dry_run);
  if (!report) return fail(report.error());
  return http::ok(report_json(*report));
}

api::Reply PeopleModule::export_(http::Request& req, const auth::Actor& actor) {
  http::QueryFields fields(req);
  const auto format = fields.one_of("format", {"xlsx", "csv"}).value_or("xlsx");
  auto query = read_search(req);
  if (auto ok = fields.finish(); !ok) return fail(ok.error());
  if (!query) return fail(query.error());
  auto file =
      service_.export_file(actor, *query, format == "csv" ? ExportFormat::csv : ExportFormat::xlsx);
  if (!file) return fail(file.error());
  return file_response(*file);
}

}  // namespace

std::unique_ptr<Module> make_module(App& app) {
  return std::make_unique<PeopleModule>(app);
}

}  // namespace cg::people

// POST /api/v1/files: the raw bytes of one photo as the request body (any
// Content-Type; the bytes decide). The answer names the stored file, whose id
// is then given to a case report or action as one of its photo_ids.
#include "app/api.hpp"
#include "app/app.hpp"
#include "http/router.hpp"
#include "modules/files/module.hpp"
#include "modules/files/service.hpp"

namespace cg::files {
namespace {

http::json::object to_json(const StoredFile& f) {
  return {{"id", f.id},       {"mime", f.mime},     {"size", f.size},
          {"width", f.width}, {"height", f.height}, {"created_at", f.created_at}};
}

class FilesModule : public Module {
 public:
  explicit FilesModule(App& app) : app_(app) {}
  std::string_view name() const override { return "files"; }
  void add_routes(http::Router& router) override {
    router.post("/api/v1/files", [this](http::Request& req) {
      return api::guarded(app_, req, [&](const auth::Actor& actor) -> api::Reply {
        auto file = app_.files->put_photo(actor, req.body);
        if (!file) return fail(file.error());
        return http::created(to_json(*file));
      });
    });
  }

 private:
  App& app_;
};

}  // namespace

std::unique_ptr<Module> make_module(App& app) {
  return std::make_unique<FilesModule>(app);
}

}  // namespace cg::files

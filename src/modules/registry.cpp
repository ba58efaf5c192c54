// The list of CivicGrid's capabilities. Adding one means adding its folder
// under src/modules/ and one line here.
#include "app/app.hpp"
#include "app/module.hpp"
#include "modules/audit/module.hpp"
#include "modules/auth/module.hpp"
#include "modules/cases/module.hpp"
#include "modules/files/module.hpp"
#include "modules/notify/module.hpp"
#include "modules/open311/module.hpp"
#include "modules/org/module.hpp"
#include "modules/people/module.hpp"
#include "modules/volunteers/module.hpp"

namespace cg {

std::vector<std::unique_ptr<Module>> make_modules(App& app) {
  std::vector<std::unique_ptr<Module>> modules;
  modules.push_back(auth::make_module(app));
  modules.push_back(audit::make_module(app));
  modules.push_back(org::make_module(app));
  modules.push_back(people::make_module(app));
  modules.push_back(files::make_module(app));
  modules.push_back(notify::make_module(app));
  modules.push_back(cases::make_module(app));
  modules.push_back(open311::make_module(app, cases::service_of(*modules.back())));
  modules.push_back(volunteers::make_module(app));
  return modules;
}

}  // namespace cg

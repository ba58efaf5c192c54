// Entry point of the Open311 GeoReport v2 module for the registry
// (src/modules/registry.cpp). Built on the cases module's service: a service
// request is a case, a service is a case category.
#pragma once

#include <memory>

#include "app/module.hpp"

namespace cg::cases {
class CaseService;
}

namespace cg::open311 {

std::unique_ptr<Module> make_module(App& app, cases::CaseService& cases);

}  // namespace cg::open311

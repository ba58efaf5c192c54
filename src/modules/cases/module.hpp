// Entry point of the cases module for the registry (src/modules/registry.cpp).
#pragma once

#include <memory>

#include "app/module.hpp"

namespace cg::cases {

class CaseService;

std::unique_ptr<Module> make_module(App& app);

// The service of a module made by make_module(), for the modules built on
// cases (open311), so that one calendar cache serves them all.
CaseService& service_of(Module& cases_module);

}  // namespace cg::cases

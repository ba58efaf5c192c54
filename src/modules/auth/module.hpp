// Entry point of the auth module for the registry (src/modules/registry.cpp).
#pragma once

#include <memory>

#include "app/module.hpp"

namespace cg::auth {

std::unique_ptr<Module> make_module(App& app);

}  // namespace cg::auth

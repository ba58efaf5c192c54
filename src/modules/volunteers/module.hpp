// Entry point of the volunteers module for the registry (src/modules/registry.cpp).
#pragma once

#include <memory>

#include "app/module.hpp"

namespace cg::volunteers {

std::unique_ptr<Module> make_module(App& app);

}  // namespace cg::volunteers

// Entry point of the cases module for the registry (src/modules/registry.cpp).
#pragma once

#include <memory>

#include "app/module.hpp"

namespace cg::cases {

std::unique_ptr<Module> make_module(App& app);

}  // namespace cg::cases

// Entry point of the people module for the registry (src/modules/registry.cpp).
#pragma once

#include <memory>

#include "app/module.hpp"

namespace cg::people {

std::unique_ptr<Module> make_module(App& app);

}  // namespace cg::people

// Entry point of the org module for the registry (src/modules/registry.cpp).
#pragma once

#include <memory>

#include "app/module.hpp"

namespace cg::org {

std::unique_ptr<Module> make_module(App& app);

}  // namespace cg::org

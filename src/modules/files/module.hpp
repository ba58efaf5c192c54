// Entry point of the files module for the registry (src/modules/registry.cpp).
#pragma once

#include <memory>

#include "app/module.hpp"

namespace cg::files {

std::unique_ptr<Module> make_module(App& app);

}  // namespace cg::files

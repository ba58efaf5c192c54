// Entry point of the notifications module for the registry (src/modules/registry.cpp).
#pragma once

#include <memory>

#include "app/module.hpp"

namespace cg::notify {

std::unique_ptr<Module> make_module(App& app);

}  // namespace cg::notify

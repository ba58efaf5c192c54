// Entry point of the audit module for the registry (src/modules/registry.cpp).
#pragma once

#include <memory>

#include "app/module.hpp"

namespace cg::audit {

std::unique_ptr<Module> make_module(App& app);

}  // namespace cg::audit

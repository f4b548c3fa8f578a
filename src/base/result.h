// Result<T> holds either a T or the Status explaining why there is none.
// Alias of tl::expected (STYLE.md §4); becomes std::expected with C++23.
#pragma once

#include <tl/expected.hpp>

#include "base/status.h"

namespace flowstate::base {

template <typename T>
using Result = tl::expected<T, Status>;

// Wraps a non-OK Status so it converts to any Result<T>.
inline tl::unexpected<Status> Err(Status status) { return tl::unexpected<Status>(std::move(status)); }

}  // namespace flowstate::base

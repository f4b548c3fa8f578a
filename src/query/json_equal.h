// JSON equality as AWS (Java maps and lists) sees it: objects are equal when they hold the
// same keys with equal values in any order, numbers compare by value (1 == 1.0). nlohmann's
// operator== on ordered_json is order-sensitive for objects, hence this. Thread-safe.
#pragma once

#include "json/json_fwd.h"

namespace flowstate::query {

bool JsonEqual(const json::Json& left, const json::Json& right);

}  // namespace flowstate::query

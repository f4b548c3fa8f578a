// The project's JSON value type, forward-declared: include this in headers (0.4 s per TU) and
// json/json.h only in .cc files (3.6 s per TU). Json keeps object keys in insertion order, as
// AWS does when it writes state input and output.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace flowstate::json {

using Json = nlohmann::ordered_json;

}  // namespace flowstate::json

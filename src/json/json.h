// The one wrapper around nlohmann/json (ARCHITECTURE.md §2): parse and serialize in the forms
// the AWS API uses. Swapping the JSON library means changing this module only.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.h"
#include "json/json_fwd.h"

namespace flowstate::json {

// Parses JSON text. Never throws: malformed text (or trailing garbage) is InvalidArgument with
// the parser's position in the message.
base::Result<Json> Parse(std::string_view text);

// Compact JSON text, as AWS returns output (`{"a":1,"b":[1,2]}`), UTF-8 kept as is.
std::string Dump(const Json& value);

// Byte length of Dump(value) without building the string twice at call sites that only check
// a size limit.
size_t DumpedSize(const Json& value);

}  // namespace flowstate::json

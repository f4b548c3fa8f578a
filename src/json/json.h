// The one wrapper around nlohmann/json (ARCHITECTURE.md §2): parse and serialize in the forms
// the AWS API uses. Swapping the JSON library means changing this module only.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "json/json_fwd.h"

namespace flowstate::json {

// Parses JSON text. Never throws: malformed text (or trailing garbage) is InvalidArgument with
// the parser's position in the message.
base::Result<Json> Parse(std::string_view text);

// Compact JSON text, as AWS returns output (`{"a":1,"b":[1,2]}`), UTF-8 kept as is.
std::string Dump(const Json& value);

// Appends a member the caller knows `object` lacks and returns its value. An ordered object's
// members sit in a std::vector of pair<const string, Json>; that pair's move constructor may
// throw (it copies the const key), so a growing vector copies every member, values and all, to
// its new storage: adding a key to an object would copy each of its documents. This grows the
// storage by moving the values instead.
Json& AppendMember(Json& object, std::string_view key, Json&& value);

}  // namespace flowstate::json

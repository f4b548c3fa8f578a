// Freeing documents cheaply. nlohmann's destructor first moves every descendant of an object or
// array onto a heap-allocated stack, so that a deeply nested document cannot overflow the native
// stack. On the small documents states hand each other that detour costs more than freeing the
// nodes (an allocation, a move and a second destructor per member), and the engine frees one or
// more such documents on every transition.
#pragma once

#include <string_view>
#include <utility>

#include "json/json_fwd.h"

namespace flowstate::json {

// Frees `value`'s nodes bottom-up and leaves it null. Only the first kDiscardDepth levels are
// walked recursively; anything nested deeper is left to nlohmann's destructor.
void Discard(Json& value);

// `to` takes `from`'s value; what `to` held is freed as Discard frees it (`from` is left with
// its emptied shell).
void Replace(Json& to, Json&& from);

// Appends a member the caller knows `object` lacks and returns its value. An ordered object's
// members sit in a std::vector of pair<const string, Json>; that pair's move constructor may
// throw (it copies the const key), so a growing vector copies every member, values and all, to
// its new storage: adding a key to an object would copy each of its documents. This grows the
// storage by moving the values instead.
Json& AppendMember(Json& object, std::string_view key, Json&& value);

}  // namespace flowstate::json

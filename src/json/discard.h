// Freeing documents cheaply. nlohmann's destructor first moves every descendant of an object or
// array onto a heap-allocated stack, so that a deeply nested document cannot overflow the native
// stack. On the small documents states hand each other that detour costs more than freeing the
// nodes (an allocation, a move and a second destructor per member), and the engine frees one or
// more such documents on every transition.
#pragma once

#include "json/json_fwd.h"

namespace flowstate::json {

// Frees `value`'s nodes bottom-up and leaves it null. Only the first kDiscardDepth levels are
// walked recursively; anything nested deeper is left to nlohmann's destructor.
void Discard(Json& value);

// `to` takes `from`'s value; what `to` held is freed as Discard frees it (`from` is left with
// its emptied shell).
void Replace(Json& to, Json&& from);

}  // namespace flowstate::json

// JSON text as JavaScript's JSON.stringify writes it, with JSONata's number rules: $string,
// the `&` operator and error messages use it.
#pragma once
#include <string>

#include "query/jsonata/value.h"

namespace flowstate::query::jsonata {

// $string semantics: strings as is, functions as "", numbers rounded to 15 significant
// digits, everything else as JSON (two-space indented when pretty). Throws D3001 on
// non-finite numbers.
std::string StringifyForString(const Value& v, bool pretty = false);
// Compact JSON text of a result: numbers at full precision, undefined members dropped.
std::string ToJsonText(const Value& v);
// Escapes a string as a JSON string literal (with quotes).
std::string QuoteJson(const std::string& s);
// A number as $string shows it.
std::string NumberToString(double d);

}  // namespace flowstate::query::jsonata

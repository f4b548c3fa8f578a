// Java-style text for JSON values. AWS Step Functions runs on the JVM, so wherever it turns a
// value into text itself (States.Format, States.JsonToString, error causes) numbers look like
// Java's Double.toString ("1.0", "1.0E20") and maps like Java's Map.toString ("{a=1, b=x}").
// Pure functions, thread-safe.
#pragma once

#include <string>

#include "json/json_fwd.h"

namespace flowstate::query {

// A JSON number as Java prints it: integers as written, doubles per Double.toString.
// REQUIRES: value.is_number().
std::string JavaNumberText(const json::Json& value);

// Appends Java's Double.toString(value) to `out`.
void AppendJavaDouble(double value, std::string& out);

// Compact JSON (`{"a":1,"b":[1.0,"x"]}`) with Java-style numbers.
std::string JavaJsonText(const json::Json& value);

// Java's toString of the Jackson/Java object for `value`: strings raw, null "null",
// arrays "[1, x]", objects "{a=1, b=x}". This is what States.Format inserts for `{}`.
std::string JavaToString(const json::Json& value);

}  // namespace flowstate::query

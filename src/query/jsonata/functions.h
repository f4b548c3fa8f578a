// The built-in function table and the registration hooks each function family provides.
// Callers add their own functions (e.g. Step Functions' $partition, $uuid) through
// Expression::Evaluate's extra table, built with MakeNativeFunction.
#pragma once
#include <string>
#include <string_view>

#include "query/jsonata/evaluator.h"

namespace flowstate::query::jsonata {

const FunctionTable& BuiltinFunctions();

// A number as an integer clamped to +-2^53 (NaN as 0): converting an out-of-range double to
// an integer type is undefined behaviour, and user input may hold 1e300.
inline int64_t ClampToInt(double d) {
  constexpr double kLimit = 9007199254740992.0;
  if (!(d == d)) return 0;
  if (d > kLimit) return static_cast<int64_t>(kLimit);
  if (d < -kLimit) return -static_cast<int64_t>(kLimit);
  return static_cast<int64_t>(d);
}

// The i-th argument, or undefined when fewer were given.
inline const Value& Arg(const std::vector<Value>& args, size_t i) {
  static const Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}

void Register(FunctionTable& table, const std::string& name, std::string_view signature,
              NativeFunction fn);

void RegisterStringFunctions(FunctionTable& table);
void RegisterRegexFunctions(FunctionTable& table);
void RegisterNumericFunctions(FunctionTable& table);
void RegisterFormatFunctions(FunctionTable& table);
void RegisterIntegerFormatFunctions(FunctionTable& table);
// Round half to even at `precision` decimal places, on the decimal digits of `value`.
double RoundHalfEven(double value, int precision);
void RegisterArrayFunctions(FunctionTable& table);
void RegisterObjectFunctions(FunctionTable& table);
void RegisterHigherOrderFunctions(FunctionTable& table);
void RegisterDateTimeFunctions(FunctionTable& table);

}  // namespace flowstate::query::jsonata

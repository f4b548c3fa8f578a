// Helpers for JSONata unit tests: evaluate an expression against JSON text and get the result
// as compact JSON text, "undefined", or "error:<code>".
#pragma once
#include <string>

#include "json/json.h"
#include "query/jsonata/expression.h"
#include "query/jsonata/stringify.h"

namespace flowstate::query::jsonata::testing {

inline std::string Eval(const std::string& expr, const std::string& input_json = "",
                        const EvalOptions& options = {}) {
  auto compiled = Expression::Compile(expr);
  if (!compiled) return "error:" + compiled.error().code;
  Value input;
  if (!input_json.empty()) {
    auto parsed = json::Parse(input_json);
    if (!parsed) return "bad test input";
    input = FromJson(*parsed);
  }
  auto result = compiled->Evaluate(input, options);
  if (!result) return "error:" + result.error().code;
  if (result->IsUndefined()) return "undefined";
  return ToJsonText(*result);
}

}  // namespace flowstate::query::jsonata::testing

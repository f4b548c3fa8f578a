// ChoiceRule is a compiled JSONPath-mode Choice rule: `Variable` (a reference path; `$`,
// `$$` and `$var` roots) with exactly one of the 39 comparators (String*, StringMatches,
// Numeric*, BooleanEquals, Timestamp*, their `...Path` forms, Is* type tests), or a boolean
// combination `And: [...]`, `Or: [...]`, `Not: {...}`, nested to any depth. The fields
// `Next`, `Comment`, `Assign` and `Output` of a rule are the caller's business and ignored
// here. Compiled once; immutable and thread-safe afterwards.
#pragma once

#include <memory>
#include <string_view>

#include "base/asl_error.h"
#include "base/result.h"
#include "json/json_fwd.h"
#include "query/eval_context.h"

namespace flowstate::query {

class ChoiceRule {
 public:
  // Compiles a rule object. Malformed rules (no comparator, two comparators, a value of the
  // wrong type, a Variable that is not a reference path, an empty And/Or, ...) give an
  // InvalidArgument whose message suits a validation diagnostic.
  static base::Result<ChoiceRule> Compile(const json::Json& rule);

  // True when the rule matches. A comparison between values of different types is false.
  // A missing Variable (or `...Path` operand) is an error except for IsPresent:
  // States.Runtime, cause "Invalid path '<path>': The choice state's condition path
  // references an invalid value." (without the engine's state prefix).
  tl::expected<bool, base::AslError> Evaluate(const EvalContext& ctx) const;

  struct Node;

 private:
  explicit ChoiceRule(std::shared_ptr<const Node> root) : root_(std::move(root)) {}

  std::shared_ptr<const Node> root_;
};

// StringMatches: `*` matches any run of characters, `\*` a literal star and `\\` a backslash.
bool MatchesWildcard(std::string_view text, std::string_view pattern);

}  // namespace flowstate::query

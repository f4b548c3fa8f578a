// Payload templates of JSONPath mode: Parameters, ResultSelector, ItemSelector (and legacy
// Map Parameters). Keys ending in ".$" take a path (`$...`, `$$...`, `$var...`) or an
// intrinsic call and lose the suffix in the output; everything else is copied as is, at any
// depth of objects and arrays. DynamicValue is one such ".$" value on its own, also used for
// Fail ErrorPath/CausePath. Compiled once per definition (constant subtrees are folded);
// immutable afterwards and safe to share between threads.
//
// Error causes produced here never carry the engine's prefix "An error occurred while
// executing the state 'S' (entered at the event id #N). ": the engine adds it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/asl_error.h"
#include "base/result.h"
#include "json/json_fwd.h"
#include "query/eval_context.h"
#include "query/intrinsic.h"
#include "query/json_path.h"

namespace flowstate::query {

class DynamicValue {
 public:
  // `text` must be a path (starting with '$') or an intrinsic call (starting with
  // "States."). The error message is usable in a validation diagnostic.
  static base::Result<DynamicValue> Compile(std::string_view text);

  const std::string& text() const;
  bool is_path() const { return path_.has_value(); }
  // The compiled path. REQUIRES: is_path().
  const JsonPath& path() const { return *path_; }

  // Evaluates against `ctx`. A definite path that selects nothing fails with States.Runtime
  // and cause "The JSONPath '<path>' specified for the field '<field_name>' could not be
  // found in the input '<compact $ input>'" (field_name: e.g. "value.$" or "CausePath").
  // An indefinite path yields the array of its matches. Intrinsic failures: see Intrinsic.
  tl::expected<json::Json, base::AslError> Evaluate(const EvalContext& ctx,
                                                    std::string_view field_name) const;
  // What a definite path selects, in place; null for anything else (an intrinsic, an
  // indefinite path, no match: Evaluate gives those their value or error).
  const json::Json* Find(const EvalContext& ctx) const;

 private:
  DynamicValue() = default;

  std::optional<JsonPath> path_;
  std::optional<Intrinsic> intrinsic_;
};

class PayloadTemplate {
 public:
  // Compiles a template. Errors name the offending field, e.g. "The value for the field
  // 'x.$' must be a valid JSONPath or a valid intrinsic function call: ...".
  static base::Result<PayloadTemplate> Compile(const json::Json& tmpl);

  // Builds the payload. Failures: see DynamicValue::Evaluate (the field name is the key with
  // its ".$" suffix).
  tl::expected<json::Json, base::AslError> Evaluate(const EvalContext& ctx) const;

  // True when the template has no ".$" field at all (its output is a constant).
  bool IsConstant() const;

  struct Node;

 private:
  explicit PayloadTemplate(std::shared_ptr<const Node> root) : root_(std::move(root)) {}

  std::shared_ptr<const Node> root_;
};

}  // namespace flowstate::query

// Intrinsic is a compiled JSONPath-mode intrinsic function call such as
// `States.Format('{} items', States.ArrayLength($.items))`: the 18 `States.*` functions,
// nested calls (depth <= 10), single-quoted strings (`\'`, `\{`, `\}`, `\\` escapes),
// numbers, booleans, null and `$`/`$$`/`$var` path arguments. Parsed once into a call tree,
// evaluated many times. Immutable after Parse; copies share the tree; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/asl_error.h"
#include "base/result.h"
#include "json/json_fwd.h"
#include "query/eval_context.h"

namespace flowstate::query {

// The error name AWS reports when an intrinsic function rejects its arguments at run time.
// Real AWS executions report "States.Runtime" with the cause
// "Invalid arguments in States.<Name>" (the documented States.IntrinsicFailure is not what
// the service returns for these).
inline constexpr const char* kIntrinsicRuntimeError = "States.Runtime";

class Intrinsic {
 public:
  // True when `text` starts like an intrinsic call ("States.").
  static bool LooksLikeIntrinsic(std::string_view text);

  // Compiles a call. Errors (unknown function, wrong argument count, syntax, nesting > 10)
  // carry a message usable in a validation diagnostic.
  static base::Result<Intrinsic> Parse(std::string_view text);

  const std::string& text() const;
  // The workflow variables (`$name` path arguments) the call reads, at any depth, each once.
  std::vector<std::string> VariableNames() const;

  // Evaluates the call. Failures:
  //  - a path argument selects nothing: States.Runtime, cause "The JSONPath '<path>'
  //    specified for the field '<field_name>' could not be found in the input '<input>'";
  //  - a function rejects its arguments: kIntrinsicRuntimeError, cause
  //    "Invalid arguments in States.<Name>".
  // Causes never carry the engine's "An error occurred while executing the state ..." prefix.
  tl::expected<json::Json, base::AslError> Evaluate(const EvalContext& ctx,
                                                    std::string_view field_name) const;

  struct Node;

 private:
  Intrinsic(std::string text, std::shared_ptr<const Node> root)
      : text_(std::make_shared<const std::string>(std::move(text))), root_(std::move(root)) {}

  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const Node> root_;
};

// The cause AWS gives when a path in a payload template, intrinsic argument or Fail
// ErrorPath/CausePath selects nothing: "The JSONPath '<path>' specified for the field
// '<field>' could not be found in the input '<compact input JSON>'".
std::string PathNotFoundCause(std::string_view path, std::string_view field,
                              const json::Json& input);

}  // namespace flowstate::query

// The JSON-shaped expressions most state machines write (`$states.input.a.b`, object and array
// constructors of them, `$merge([...])`, comparisons, arithmetic, `and`/`or`, `? :`), run on
// the JSON documents themselves. The evaluator would convert each document it reads into its
// own values and convert the result back; for a state that only reshapes its input that
// conversion is most of the work.
//
// A plan answers exactly as Expression::Evaluate + ToJson would, or declines: whenever the
// answer would need more than the plan models (an array under a field step, which JSONata maps
// over; an operand of a type that makes the evaluator fail; a result out of range), it returns
// kDecline and the caller runs the evaluator, which gives the answer or the error. So a plan
// never reports an error itself. tests/query/jsonata/direct_plan_test.cc checks the agreement
// on generated expressions and documents.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "json/json_fwd.h"
#include "query/jsonata/ast.h"
#include "query/jsonata/evaluator.h"

namespace flowstate::query::jsonata {

class DirectPlan {
 public:
  // What the plan reads: `$states` members (null: not visible) and the workflow variables.
  struct Scope {
    const json::Json* input = nullptr;
    const json::Json* result = nullptr;
    const json::Json* error_output = nullptr;
    // `input` again, when the caller gives it up (nothing reads it after this evaluation): a
    // result built from it, `$merge([$states.input, {...}])`, may take it instead of copying
    // it, if that adds at most `take_budget` bytes to its compact text (SIZE_MAX: any) and the
    // input needs no number rewritten. Taken only once the plan can no longer decline.
    json::Json* consumable_input = nullptr;
    size_t take_budget = 0;
    // Object of name -> value, or null. A name found here shadows a function of that name.
    const json::Json* variables = nullptr;
    // Functions looked up before the built-ins; a name found here makes `$name` a function.
    const FunctionTable* functions = nullptr;
  };

  enum class Outcome { kValue, kUndefined, kDecline };

  // Null when the tree uses anything outside the plan's subset.
  static std::unique_ptr<const DirectPlan> Compile(const Node& root);

  // Builds the result into `out` (null on entry) on kValue; `out` is unspecified otherwise.
  Outcome Evaluate(const Scope& scope, json::Json& out) const;

  struct Op;
  ~DirectPlan();

 private:
  explicit DirectPlan(std::unique_ptr<Op> root);
  std::unique_ptr<Op> root_;
};

}  // namespace flowstate::query::jsonata

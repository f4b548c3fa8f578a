// JSONata-mode field values (AWS-REFERENCE.md §6.4): any JSON value in which a string
// "{% expr %}" is a JSONata expression, at any depth of objects and arrays (Arguments, Output,
// Assign, ItemSelector, Items, Condition, TimeoutSeconds, ...). Everything else is literal.
// Expressions read `$states` and the workflow variables (`$name`) and may call Step
// Functions' extra functions; they must produce a value: nothing (undefined) or a JSONata
// error is a States.QueryEvaluationError with AWS's cause text. Compiled once per definition;
// immutable and safe to share between threads.
//
// Causes produced here never carry the engine's prefix "An error occurred while executing the
// state 'S' (entered at the event id #N). ": the engine adds it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/asl_error.h"
#include "base/result.h"
#include "json/json_fwd.h"
#include "query/jsonata/evaluator.h"
#include "query/jsonata/value.h"

namespace flowstate::base {
class Rng;
}  // namespace flowstate::base

namespace flowstate::query {

namespace jsonata {
class Expression;  // query/jsonata/expression.h
}  // namespace jsonata

// Whether `text` is a whole "{% ... %}" expression string (no text outside the delimiters).
bool IsJsonataString(std::string_view text);

// `$states` ({input, context, result?, errorOutput?}) for one evaluation. Most expressions
// run on documents directly (query/jsonata/direct_plan.h) and read the members below; the
// others need `$states` as one evaluator value, which AsValue builds (converting the
// documents) on first use only.
class JsonataStates {
 public:
  // The members as documents; null: not visible.
  const json::Json* input = nullptr;
  const json::Json* result = nullptr;
  const json::Json* error_output = nullptr;
  // `input` again, when the caller gives it up: nothing reads it after this evaluation (see
  // engine::Executor::TakeInputBudget). An expression that is the whole value and rebuilds the
  // input may take it instead of copying it, if that adds at most `take_budget` bytes to its
  // compact text (SIZE_MAX: any); one that fails leaves it whole.
  json::Json* consumable_input = nullptr;
  size_t take_budget = 0;

  virtual const jsonata::Value& AsValue() = 0;

 protected:
  ~JsonataStates() = default;
};

// What the expressions of one evaluation can read. Points at data the caller owns.
struct JsonataScope {
  // `$states`. Required when an expression reads it.
  JsonataStates* states = nullptr;
  // The visible workflow variables (object: name -> value), or null when there are none.
  const json::Json* variables = nullptr;
  // Step Functions' functions (query/jsonata_functions.h); null: only the built-ins.
  const jsonata::FunctionTable* functions = nullptr;
  // The random source of $uuid and $random; null makes them fail.
  base::Rng* rng = nullptr;
};

class JsonataTemplate {
 public:
  // Compiles `value`. An expression that does not parse is InvalidArgument with a message
  // naming it, usable as an INVALID_JSONATA_EXPRESSION diagnostic.
  static base::Result<JsonataTemplate> Compile(const json::Json& value);

  // Builds the value. `prefix` + `field` names the field in causes ("Output",
  // "Choices[0]/" + "Condition"); members of an object are named "Output/key", items of an
  // array "Output[i]". Names are built only for a cause.
  // When the whole value is one expression and the evaluator ran it, `value_out` (if given)
  // also receives its result as an evaluator value, for a caller that will read the same
  // document again.
  tl::expected<json::Json, base::AslError> Evaluate(const JsonataScope& scope,
                                                    std::string_view field,
                                                    std::string_view prefix = {},
                                                    jsonata::Value* value_out = nullptr) const;

  // True when there is no expression at all (the value is a constant).
  bool IsConstant() const;
  // The expression text (between the delimiters, trimmed) when the whole value is one
  // expression string, else empty: the text type errors quote.
  const std::string& single_text() const;
  // Whether any expression mentions `$states` (so the caller must build it) and the names of
  // the `$states` members any expression could read ("context" is costly to build).
  bool reads_states() const { return reads_states_; }
  bool may_read_context() const { return may_read_context_; }
  // Every expression, for static checks.
  std::vector<const jsonata::Expression*> expressions() const;

  struct Node;

 private:
  JsonataTemplate() = default;

  std::shared_ptr<const Node> root_;
  bool reads_states_ = false;
  bool may_read_context_ = false;
};

// The QueryEvaluationError for a value of the wrong type: "The JSONata expression 'E'
// specified for the field 'F' returned an unexpected result type. Expected 'array', but was
// 'boolean' for value: true".
base::AslError JsonataTypeError(std::string_view expression, std::string_view field,
                                std::string_view expected, const json::Json& value);

// JSON's name for a value's type as AWS's messages use it: "array", "object", "string",
// "number", "boolean", "null".
std::string_view JsonTypeName(const json::Json& value);

}  // namespace flowstate::query

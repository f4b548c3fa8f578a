// Public API of the JSONata engine: compile an expression once, evaluate it many times.
//
//   auto expr = Expression::Compile("Account.Order.Product[Price > 30].SKU");
//   if (!expr) ... expr.error().code / .message
//   auto result = expr->Evaluate(FromJson(doc), options);   // Value; undefined when nothing
//
// Evaluation is thread-safe on a const Expression: all per-run state lives in the call.
// Callers add variables (`$states`) through EvalOptions::bindings and extra functions
// (Step Functions' $partition, $uuid ...) through EvalOptions::functions.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <tl/expected.hpp>

#include "json/json_fwd.h"
#include "query/jsonata/error.h"
#include "query/jsonata/evaluator.h"
#include "query/jsonata/value.h"

namespace flowstate::query::jsonata {

struct EvalOptions {
  EvalLimits limits;
  // Names without the leading $; a few stay inline (no allocation per evaluation).
  boost::container::small_vector<std::pair<std::string, Value>, 4> bindings;
  const FunctionTable* functions = nullptr;  // looked up before the built-ins
  base::Rng* rng = nullptr;  // for extra functions that need randomness ($uuid); may be null
};

// Functions jsonata-js has but Step Functions removed ($eval). Pass as EvalOptions::functions
// to get the reference behaviour.
const FunctionTable& EvalFunctionTable();

class Expression {
 public:
  static tl::expected<Expression, Error> Compile(std::string_view source);

  tl::expected<Value, Error> Evaluate(const Value& input, const EvalOptions& options = {}) const;
  // JSON in and out: a null `input` pointer means no input (undefined); an empty optional
  // result means the expression produced nothing.
  tl::expected<std::optional<json::Json>, Error> EvaluateJson(
      const json::Json* input, const EvalOptions& options = {}) const;
  const std::string& source() const { return source_; }
  // Every `$name` the expression mentions (without the `$`; `$` itself is ""), each once, in
  // order of first appearance. Lets callers bind only the variables an expression can read.
  std::vector<std::string> VariableNames() const;
  // The compiled tree, for static checks.
  const Node* root() const { return root_.get(); }

 private:
  std::shared_ptr<const Node> root_;
  std::string source_;
};

}  // namespace flowstate::query::jsonata

#include "query/jsonata/expression.h"

#include <algorithm>
#include <new>

#include "json/json.h"
#include "query/jsonata/parser.h"

namespace flowstate::query::jsonata {

tl::expected<Expression, Error> Expression::Compile(std::string_view source) {
  try {
    Expression e;
    e.root_ = std::shared_ptr<const Node>(ParseExpression(source).release());
    e.source_ = std::string(source);
    return e;
  } catch (const Failure& f) {
    return tl::unexpected(f.error());
  } catch (const std::bad_alloc&) {
    return tl::unexpected(MakeError("U1001"));
  }
}

namespace {

void CollectVariables(const Node* node, std::vector<std::string>& out) {
  if (node == nullptr) return;
  if (node->kind == NodeKind::kVariable) {
    const std::string& name = node->str;
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  CollectVariables(node->lhs.get(), out);
  CollectVariables(node->rhs.get(), out);
  CollectVariables(node->third.get(), out);
  CollectVariables(node->group.get(), out);
  for (const auto& item : node->items) CollectVariables(item.get(), out);
  for (const auto& [key, value] : node->pairs) {
    CollectVariables(key.get(), out);
    CollectVariables(value.get(), out);
  }
  for (const auto& term : node->sort_terms) CollectVariables(term.expr.get(), out);
  for (const auto& stage : node->stages) CollectVariables(stage.filter.get(), out);
}

}  // namespace

std::vector<std::string> Expression::VariableNames() const {
  std::vector<std::string> names;
  CollectVariables(root_.get(), names);
  return names;
}

tl::expected<Value, Error> Expression::Evaluate(const Value& input,
                                                const EvalOptions& options) const {
  try {
    Evaluator evaluator(options.limits, options.functions, options.rng);
    Frame* globals = evaluator.NewFrame(nullptr);
    globals->Reserve(options.bindings.size() + 1);  // + the context `$`
    for (const auto& [name, value] : options.bindings) globals->Define(name, value);
    Value result = evaluator.Run(root_.get(), input, globals);
    // Drop the sequence flags: the caller sees plain values.
    if (result.IsSequence() && result.AsArray().items.size() == 1 &&
        !result.AsArray().keep_singleton) {
      Value single = result.AsArray().items[0];
      return single;
    }
    return result;
  } catch (const Failure& f) {
    return tl::unexpected(f.error());
  } catch (const std::bad_alloc&) {
    return tl::unexpected(MakeError("U1001"));
  } catch (const std::exception& ex) {
    Error e;
    e.code = "U1001";
    e.message = ex.what();
    return tl::unexpected(e);
  }
}

tl::expected<std::optional<json::Json>, Error> Expression::EvaluateJson(
    const json::Json* input, const EvalOptions& options) const {
  auto result = Evaluate(input == nullptr ? Value() : FromJson(*input), options);
  if (!result) return tl::unexpected(result.error());
  if (result->IsUndefined()) return std::optional<json::Json>();
  return std::optional<json::Json>(ToJson(*result));
}

}  // namespace flowstate::query::jsonata

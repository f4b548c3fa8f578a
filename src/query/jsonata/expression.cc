#include "query/jsonata/expression.h"

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

tl::expected<Value, Error> Expression::Evaluate(const Value& input,
                                                const EvalOptions& options) const {
  try {
    Evaluator evaluator(options.limits, options.functions);
    Frame* globals = evaluator.NewFrame(nullptr);
    for (const auto& [name, value] : options.bindings) globals->Bind(name, value);
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

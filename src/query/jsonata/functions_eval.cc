// $eval: evaluates a JSONata expression given as a string. Step Functions removed it from its
// JSONata, so it is not a built-in here; callers wanting jsonata-js behaviour add
// EvalFunctionTable() to EvalOptions::functions.
#include "query/jsonata/error.h"
#include "query/jsonata/expression.h"
#include "query/jsonata/functions.h"
#include "query/jsonata/parser.h"

namespace flowstate::query::jsonata {

const FunctionTable& EvalFunctionTable() {
  static const FunctionTable* table = [] {
    auto* t = new FunctionTable();
    Register(*t, "eval", "<sx?:x>", [](CallContext& c, std::vector<Value>& a) -> Value {
      if (Arg(a, 0).IsUndefined()) return Value();
      const Node* tree = nullptr;
      try {
        tree = c.evaluator.Adopt(ParseExpression(a[0].AsString()));
      } catch (const Failure& f) {
        FailWithMessage("D3120",
                        "Syntax error in expression passed to function eval: " + f.error().message,
                        c.position);
      }
      Value input = a.size() > 1 ? a[1] : c.input;
      if (input.IsArray() && !input.IsSequence()) {
        auto wrapper = NewArray(true);
        wrapper->outer_wrapper = true;
        wrapper->items.push_back(input);
        input = Value::FromArray(std::move(wrapper));
      }
      try {
        return c.evaluator.Evaluate(tree, input, c.evaluator.NewFrame(c.evaluator.globals()));
      } catch (const Failure& f) {
        if (f.error().code == "U1001") throw;
        FailWithMessage(
            "D3121",
            "Dynamic error evaluating the expression passed to function eval: " + f.error().message,
            c.position);
      }
    });
    return t;
  }();
  return *table;
}

}  // namespace flowstate::query::jsonata

// Higher-order functions: $map, $filter, $single, $reduce.
#include "query/jsonata/error.h"
#include "query/jsonata/functions.h"

namespace flowstate::query::jsonata {

namespace {

// (value, index, array) trimmed to what the callback declares.
std::vector<Value> ItemArgs(const Value& fn, const Value& item, size_t index, const Value& arr) {
  size_t arity = fn.AsFunction().Arity();
  std::vector<Value> args{item};
  if (arity >= 2) args.push_back(Value::Number(static_cast<double>(index)));
  if (arity >= 3) args.push_back(arr);
  return args;
}

}  // namespace

void RegisterHigherOrderFunctions(FunctionTable& t) {
  Register(t, "map", "<af>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    Value result = MakeSequence();
    const auto& items = a[0].AsArray().items;
    for (size_t i = 0; i < items.size(); ++i) {
      Value r = c.evaluator.Apply(a[1], ItemArgs(a[1], items[i], i, a[0]), c.input, c.position);
      if (r.IsDefined()) result.MutableArray().items.push_back(r);
    }
    return result;
  });
  Register(t, "filter", "<af>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    Value result = MakeSequence();
    const auto& items = a[0].AsArray().items;
    for (size_t i = 0; i < items.size(); ++i) {
      Value r = c.evaluator.Apply(a[1], ItemArgs(a[1], items[i], i, a[0]), c.input, c.position);
      if (ToBoolean(r)) result.MutableArray().items.push_back(items[i]);
    }
    return result;
  });
  Register(t, "single", "<af?>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    const auto& items = a[0].AsArray().items;
    bool found = false;
    Value result;
    for (size_t i = 0; i < items.size(); ++i) {
      bool match = true;
      if (Arg(a, 1).IsDefined()) {
        match = ToBoolean(
            c.evaluator.Apply(a[1], ItemArgs(a[1], items[i], i, a[0]), c.input, c.position));
      }
      if (!match) continue;
      if (found) Fail("D3138", c.position);
      found = true;
      result = items[i];
    }
    if (!found) Fail("D3139", c.position);
    return result;
  });
  Register(t, "reduce", "<afj?:j>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    size_t arity = a[1].AsFunction().Arity();
    if (arity < 2) Fail("D3050", c.position);
    const auto& items = a[0].AsArray().items;
    size_t start = 0;
    Value acc = Arg(a, 2);
    if (acc.IsUndefined() && !items.empty()) {
      acc = items[0];
      start = 1;
    }
    for (size_t i = start; i < items.size(); ++i) {
      std::vector<Value> args{acc, items[i]};
      if (arity >= 3) args.push_back(Value::Number(static_cast<double>(i)));
      if (arity >= 4) args.push_back(a[0]);
      acc = c.evaluator.Apply(a[1], std::move(args), c.input, c.position);
    }
    return acc;
  });
}

}  // namespace flowstate::query::jsonata

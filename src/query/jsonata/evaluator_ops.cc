// Operators, constructors, calls and the transform operator.
#include <cmath>

#include "query/jsonata/error.h"
#include "query/jsonata/evaluator.h"
#include "query/jsonata/regex.h"
#include "query/jsonata/stringify.h"

namespace flowstate::query::jsonata {

namespace {

constexpr double kMaxRange = 1e7;

bool IsComparable(const Value& v) { return v.IsUndefined() || v.IsString() || v.IsNumber(); }

Value DeepClone(const Value& v) {
  if (v.IsArray()) {
    auto a = NewArray(false);
    const auto& src = v.AsArray();
    a->sequence = src.sequence;
    a->cons = src.cons;
    for (const auto& e : src.items) a->items.push_back(DeepClone(e));
    return Value::FromArray(std::move(a));
  }
  if (v.IsObject()) {
    auto o = std::make_shared<ObjectData>();
    for (const auto& [k, e] : v.AsObject().entries) o->Set(k, DeepClone(e));
    return Value::FromObject(std::move(o));
  }
  return v;
}

}  // namespace

Value Evaluator::EvaluateBinary(const Node* n, const Value& input, Frame* env) {
  const std::string& op = n->str;
  if (op == "and") {
    Value lhs = Evaluate(n->lhs.get(), input, env);
    if (!ToBoolean(lhs)) return Value::Bool(false);
    return Value::Bool(ToBoolean(Evaluate(n->rhs.get(), input, env)));
  }
  if (op == "or") {
    Value lhs = Evaluate(n->lhs.get(), input, env);
    if (ToBoolean(lhs)) return Value::Bool(true);
    return Value::Bool(ToBoolean(Evaluate(n->rhs.get(), input, env)));
  }
  Value lhs = Evaluate(n->lhs.get(), input, env);
  Value rhs = Evaluate(n->rhs.get(), input, env);
  switch (op[0]) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return EvaluateArith(n, lhs, rhs);
    case '&': {
      std::string s = lhs.IsUndefined() ? "" : StringifyForString(lhs);
      s += rhs.IsUndefined() ? "" : StringifyForString(rhs);
      CheckStringSize(s.size(), n->position);
      return Value::String(std::move(s));
    }
    case '.':
      return EvaluateRange(n, lhs, rhs);
    case 'i': {  // in
      if (lhs.IsUndefined() || rhs.IsUndefined()) return Value::Bool(false);
      if (!rhs.IsArray()) return Value::Bool(DeepEqual(lhs, rhs) && !lhs.IsObject());
      for (const auto& e : rhs.AsArray().items) {
        if (DeepEqual(lhs, e) && !lhs.IsObject() && !lhs.IsArray()) return Value::Bool(true);
      }
      return Value::Bool(false);
    }
    default:
      return EvaluateCompare(n, lhs, rhs);
  }
}

Value Evaluator::EvaluateArith(const Node* n, const Value& lhs, const Value& rhs) {
  if (lhs.IsDefined() && !lhs.IsNumber()) Fail("T2001", n->position, n->str, lhs);
  if (rhs.IsDefined() && !rhs.IsNumber()) Fail("T2002", n->position, n->str, rhs);
  if (lhs.IsUndefined() || rhs.IsUndefined()) return Value();
  double a = lhs.AsNumber();
  double b = rhs.AsNumber();
  double r = 0;
  switch (n->str[0]) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      r = a * b;
      break;
    case '/':
      r = a / b;
      break;
    default:
      r = std::fmod(a, b);
      break;
  }
  // Overflow is an error; division by zero yields Infinity (later rejected where used).
  if (std::isinf(r) && n->str[0] != '/') Fail("D1001", n->position, n->str, Value::Number(r));
  return Value::Number(r);
}

Value Evaluator::EvaluateCompare(const Node* n, const Value& lhs, const Value& rhs) {
  const std::string& op = n->str;
  if (op == "=" || op == "!=") {
    if (lhs.IsUndefined() || rhs.IsUndefined()) return Value::Bool(false);
    bool eq = DeepEqual(lhs, rhs);
    return Value::Bool(op == "=" ? eq : !eq);
  }
  if (!IsComparable(lhs) || !IsComparable(rhs)) {
    Fail("T2010", n->position, op, IsComparable(lhs) ? rhs : lhs);
  }
  if (lhs.IsUndefined() || rhs.IsUndefined()) return Value();
  if (lhs.type() != rhs.type()) Fail("T2009", n->position, op, lhs, rhs);
  int cmp = 0;
  if (lhs.IsNumber()) {
    cmp = lhs.AsNumber() < rhs.AsNumber() ? -1 : (lhs.AsNumber() > rhs.AsNumber() ? 1 : 0);
  } else {
    int c = lhs.AsString().compare(rhs.AsString());
    cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (op == "<") return Value::Bool(cmp < 0);
  if (op == "<=") return Value::Bool(cmp <= 0);
  if (op == ">") return Value::Bool(cmp > 0);
  return Value::Bool(cmp >= 0);
}

Value Evaluator::EvaluateRange(const Node* n, const Value& lhs, const Value& rhs) {
  if (lhs.IsDefined() && !lhs.IsInteger()) Fail("T2003", n->position, "..", lhs);
  if (rhs.IsDefined() && !rhs.IsInteger()) Fail("T2004", n->position, "..", rhs);
  if (lhs.IsUndefined() || rhs.IsUndefined()) return Value();
  double from = lhs.AsNumber();
  double to = rhs.AsNumber();
  if (from > to) return Value();
  double size = to - from + 1;
  if (size > kMaxRange) Fail("D2014", n->position, "..", Value::Number(size));
  auto a = NewArray(true);
  a->items.reserve(static_cast<size_t>(size));
  for (double v = from; v <= to; v += 1) a->items.push_back(Value::Number(v));
  return Value::FromArray(std::move(a));
}

Value Evaluator::EvaluateArray(const Node* n, const Value& input, Frame* env) {
  auto out = NewArray(false);
  out->items.reserve(n->items.size());
  for (const auto& item : n->items) {
    Value v = Evaluate(item.get(), input, env);
    if (v.IsUndefined()) continue;
    if (item->kind == NodeKind::kArray || !v.IsArray()) {
      out->items.push_back(std::move(v));
    } else {
      const auto& src = v.AsArray().items;
      out->items.insert(out->items.end(), src.begin(), src.end());
    }
  }
  if (n->cons_array) out->cons = true;
  return Value::FromArray(std::move(out));
}

Value Evaluator::MakeLambda(const Node* n, const Value& input, Frame* env) {
  auto fd = std::make_shared<FunctionData>();
  fd->kind = FunctionKind::kLambda;
  fd->lambda = n;
  fd->closure = env;
  env->MarkCaptured();
  fd->closure_input = input;
  fd->signature = n->signature;
  return Value::FromFunction(std::move(fd));
}

Value Evaluator::EvaluateCall(const Node* n, const Value& input, Frame* env) {
  static const std::string kNoName;
  const Node* proc = n->lhs.get();
  // `$name(...)`, the usual call, reads the function where the name is bound: a built-in is
  // used in place (the table outlives the evaluation); anything else is copied, as evaluating
  // the arguments may rebind names and move the scope's values.
  Value held;
  const Value* found = nullptr;
  if (proc->kind == NodeKind::kVariable && !proc->str.empty() && proc->stages.empty() &&
      !proc->group) {
    found = LookupVariable(env, proc);
  } else {
    held = Evaluate(proc, input, env);
  }
  if (found != nullptr && found != proc->builtin) {
    held = *found;
    found = nullptr;
  }
  const Value& callee = found != nullptr ? *found : held;
  const std::string& call_name = proc->kind == NodeKind::kVariable ? proc->str : kNoName;
  if (!callee.IsFunction()) {
    bool named = proc->kind == NodeKind::kPath && !proc->items.empty() &&
                 proc->items[0]->kind == NodeKind::kName;
    std::string token = named ? proc->items[0]->str : call_name;
    named = named && LookupVariable(env, token) != nullptr;
    if (n->is_partial) {
      if (named) Fail("T1007", n->position, token);
      Fail("T1008", n->position, token);
    }
    if (named) Fail("T1005", n->position, token);
    Fail("T1006", n->position, token);
  }
  std::vector<Value> args;
  args.reserve(n->items.size());
  std::vector<bool> holes;  // only a partial application needs them
  for (const auto& arg : n->items) {
    if (arg->kind == NodeKind::kPlaceholder) {
      args.emplace_back();
    } else {
      args.push_back(Evaluate(arg.get(), input, env));
    }
    if (n->is_partial) holes.push_back(arg->kind == NodeKind::kPlaceholder);
  }
  if (n->is_partial) {
    auto fd = std::make_shared<FunctionData>();
    fd->kind = FunctionKind::kPartial;
    fd->target = callee;
    fd->bound = std::move(args);
    fd->holes = std::move(holes);
    fd->name = call_name;
    return Value::FromFunction(std::move(fd));
  }
  if (n->tail_call && callee.AsFunction().kind == FunctionKind::kLambda) {
    auto fd = std::make_shared<FunctionData>();
    fd->kind = FunctionKind::kThunk;
    fd->target = callee;
    fd->bound = std::move(args);
    fd->position = n->position;
    fd->name = call_name;
    fd->closure_input = input;
    return Value::FromFunction(std::move(fd));
  }
  return Apply(callee, std::move(args), input, n->position, call_name);
}

Value Evaluator::Apply(const Value& fn_value, std::vector<Value> args, const Value& input,
                       int64_t position, const std::string& call_name) {
  if (fn_value.IsFunction() && fn_value.AsFunction().kind == FunctionKind::kNative) {
    // A built-in: one call, none of the trampoline's state below.
    const FunctionData& f = fn_value.AsFunction();
    const Value& context =
        input.IsArray() && input.AsArray().outer_wrapper ? input.AsArray().items[0] : input;
    if (f.signature) f.signature->Validate(args, context, true, f.name, position);
    CallContext ctx{*this, context, nullptr, position};
    return f.native(ctx, args);
  }
  Value fn = fn_value;
  std::string name = call_name;
  // A top-level array is wrapped (Run); functions see the array itself.
  Value context = input;
  if (input.IsArray() && input.AsArray().outer_wrapper) context = input.AsArray().items[0];
  while (true) {
    if (!fn.IsFunction()) Fail("T1006", position);
    const FunctionData& f = fn.AsFunction();
    switch (f.kind) {
      case FunctionKind::kNative: {
        if (f.signature) f.signature->Validate(args, context, true, f.name, position);
        CallContext ctx{*this, context, nullptr, position};
        return f.native(ctx, args);
      }
      case FunctionKind::kLambda: {
        if (f.signature) {
          f.signature->Validate(args, context, true, name.empty() ? "lambda" : name, position);
        }
        Frame* frame = NewFrame(f.closure);
        const auto& params = f.lambda->params;
        for (size_t i = 0; i < params.size(); ++i) {
          frame->Bind(params[i], i < args.size() ? args[i] : Value());
        }
        Value result = Evaluate(f.lambda->lhs.get(), f.closure_input, frame);
        ReleaseFrame(frame);
        if (result.IsFunction() && result.AsFunction().kind == FunctionKind::kThunk) {
          const FunctionData& thunk = result.AsFunction();
          Value next = thunk.target;
          args = thunk.bound;
          name = thunk.name;
          position = thunk.position;
          context = thunk.closure_input;
          fn = std::move(next);
          CheckBudget(position);
          continue;
        }
        return result;
      }
      case FunctionKind::kPartial: {
        std::vector<Value> merged;
        size_t next_arg = 0;
        for (size_t i = 0; i < f.bound.size(); ++i) {
          if (f.holes[i]) {
            merged.push_back(next_arg < args.size() ? args[next_arg++] : Value());
          } else {
            merged.push_back(f.bound[i]);
          }
        }
        args = std::move(merged);
        name = f.name;
        Value next = f.target;
        fn = std::move(next);
        continue;
      }
      case FunctionKind::kThunk: {
        Value next = f.target;
        args = f.bound;
        position = f.position;
        fn = std::move(next);
        continue;
      }
      case FunctionKind::kRegex:
        return RegexMatchValue(*this, f.regex, args.empty() ? Value() : args[0], 0);
    }
  }
}

Value Evaluator::EvaluateApplyOp(const Node* n, const Value& input, Frame* env) {
  Value lhs = Evaluate(n->lhs.get(), input, env);
  const Node* rhs = n->rhs.get();
  if (rhs->kind == NodeKind::kCall && !rhs->is_partial) {
    Value callee = Evaluate(rhs->lhs.get(), input, env);
    if (!callee.IsFunction()) Fail("T2006", n->position, "~>", callee);
    std::vector<Value> args{lhs};
    for (const auto& arg : rhs->items) args.push_back(Evaluate(arg.get(), input, env));
    std::string name = rhs->lhs->kind == NodeKind::kVariable ? rhs->lhs->str : "";
    Value result = Apply(callee, std::move(args), input, rhs->position, name);
    for (const auto& stage : rhs->stages) {
      if (stage.filter) result = ApplyFilter(stage.filter.get(), result, env);
    }
    if (rhs->keep_array && result.IsSequence()) result.MutableArray().keep_singleton = true;
    return result;
  }
  Value fn = Evaluate(rhs, input, env);
  if (!fn.IsFunction()) Fail("T2006", n->position, "~>", fn);
  if (lhs.IsFunction()) {
    // Function composition: (f ~> g)(x) = g(f(x)).
    Value first = lhs;
    Value second = fn;
    Evaluator* self = this;
    return MakeNativeFunction("", "",
                              [first, second, self](CallContext& ctx, std::vector<Value>& args) {
                                Value mid = self->Apply(first, args, ctx.input, ctx.position);
                                return self->Apply(second, {mid}, ctx.input, ctx.position);
                              });
  }
  std::string name = rhs->kind == NodeKind::kVariable ? rhs->str : "";
  return Apply(fn, {lhs}, input, n->position, name);
}

Value Evaluator::EvaluateTransform(const Node* n, const Value& input, Frame* env) {
  (void)input;
  Evaluator* self = this;
  env->MarkCaptured();
  return MakeNativeFunction("", "",
                            [self, n, env](CallContext& ctx, std::vector<Value>& args) -> Value {
                              (void)ctx;
                              if (args.empty() || args[0].IsUndefined()) return Value();
                              Value clone = DeepClone(args[0]);
                              Value matches = self->Evaluate(n->lhs.get(), clone, env);
                              if (matches.IsUndefined()) return clone;
                              std::vector<Value> targets;
                              if (matches.IsArray()) {
                                targets = matches.AsArray().items;
                              } else {
                                targets.push_back(matches);
                              }
                              for (const Value& target : targets) {
                                if (!target.IsObject()) continue;
                                Value update = self->Evaluate(n->rhs.get(), target, env);
                                if (update.IsDefined()) {
                                  if (!update.IsObject())
                                    Fail("T2011", n->rhs->position, std::nullopt, update);
                                  auto obj = target.ObjectPtr();
                                  for (const auto& [k, v] : update.AsObject().entries)
                                    obj->Set(k, v);
                                }
                                if (n->third) {
                                  Value del = self->Evaluate(n->third.get(), target, env);
                                  if (del.IsUndefined()) continue;
                                  std::vector<Value> keys;
                                  if (del.IsArray()) {
                                    keys = del.AsArray().items;
                                  } else {
                                    keys.push_back(del);
                                  }
                                  for (const auto& k : keys) {
                                    if (!k.IsString())
                                      Fail("T2012", n->third->position, std::nullopt, del);
                                  }
                                  auto obj = target.ObjectPtr();
                                  for (const auto& k : keys) obj->Remove(k.AsString());
                                }
                              }
                              return clone;
                            });
}

}  // namespace flowstate::query::jsonata

#include "query/jsonata/evaluator.h"

#include <algorithm>

#include <pthread.h>

#include "query/jsonata/error.h"
#include "query/jsonata/functions.h"
#include "query/jsonata/regex.h"

namespace flowstate::query::jsonata {

namespace {

// Everything reachable below a value, arrays walked through (the `**` operator).
void CollectDescendants(const Value& v, std::vector<Value>& out) {
  if (!v.IsArray()) out.push_back(v);
  if (v.IsArray()) {
    for (const auto& e : v.AsArray().items) CollectDescendants(e, out);
  } else if (v.IsObject()) {
    for (const auto& [k, e] : v.AsObject().entries) CollectDescendants(e, out);
  }
}

void FlattenInto(const Value& v, std::vector<Value>& out) {
  if (v.IsArray()) {
    for (const auto& e : v.AsArray().items) FlattenInto(e, out);
  } else {
    out.push_back(v);
  }
}

Value Wildcard(const Value& input) {
  Value result = MakeSequence();
  auto& items = result.MutableArray().items;
  auto add = [&](const Value& v) {
    if (v.IsArray()) {
      FlattenInto(v, items);
    } else if (v.IsDefined()) {
      items.push_back(v);
    }
  };
  if (input.IsArray() && input.AsArray().outer_wrapper && !input.AsArray().items.empty()) {
    return Wildcard(input.AsArray().items[0]);
  }
  if (input.IsObject()) {
    for (const auto& [k, v] : input.AsObject().entries) add(v);
  } else if (input.IsArray()) {
    for (const auto& v : input.AsArray().items) add(v);
  }
  return result;
}

}  // namespace

Value LookupField(const Value& input, const std::string& key) {
  if (input.IsObject()) {
    const Value* v = input.AsObject().Find(key);
    return v == nullptr ? Value() : *v;
  }
  if (!input.IsArray()) return Value();
  Value result = MakeSequence();
  auto& out = result.MutableArray().items;
  for (const auto& item : input.AsArray().items) {
    Value v = LookupField(item, key);
    if (v.IsArray()) {
      out.insert(out.end(), v.AsArray().items.begin(), v.AsArray().items.end());
    } else if (v.IsDefined()) {
      out.push_back(std::move(v));
    }
  }
  return result;
}

Value AppendValues(const Value& a, const Value& b) {
  if (a.IsUndefined()) return b;
  if (b.IsUndefined()) return a;
  Value result = MakeSequence();
  auto& out = result.MutableArray().items;
  if (a.IsArray()) {
    out = a.AsArray().items;
  } else {
    out.push_back(a);
  }
  if (b.IsArray()) {
    out.insert(out.end(), b.AsArray().items.begin(), b.AsArray().items.end());
  } else {
    out.push_back(b);
  }
  return result;
}

Evaluator::Evaluator(const EvalLimits& limits, const FunctionTable* extra_functions, base::Rng* rng)
    : limits_(limits), extra_functions_(extra_functions), rng_(rng) {}

Frame* Evaluator::NewFrame(Frame* parent) {
  if (!free_frames_.empty()) {
    Frame* f = free_frames_.back();
    free_frames_.pop_back();
    f->Reset(parent);
    return f;
  }
  if (!first_frame_used_) {
    first_frame_used_ = true;
    first_frame_.Reset(parent);
    return &first_frame_;
  }
  if (!frames_) frames_.emplace();
  frames_->emplace_back(parent);
  return &frames_->back();
}

void Evaluator::ReleaseFrame(Frame* frame) {
  // Long tail-recursive loops would otherwise grow the arena by one scope per iteration.
  if (!frame->captured()) free_frames_.push_back(frame);
}

const Value* Evaluator::LookupVariable(Frame* env, const std::string& name) const {
  if (const Value* v = env->Lookup(name)) return v;
  if (extra_functions_ != nullptr) {
    auto it = extra_functions_->find(name);
    if (it != extra_functions_->end()) return &it->second;
  }
  const auto& builtins = BuiltinFunctions();
  auto it = builtins.find(name);
  return it == builtins.end() ? nullptr : &it->second;
}

const Value* Evaluator::LookupVariable(Frame* env, const Node* variable) const {
  if (const Value* v = env->Lookup(variable->str)) return v;
  if (extra_functions_ != nullptr) {
    auto it = extra_functions_->find(variable->str);
    if (it != extra_functions_->end()) return &it->second;
  }
  return variable->builtin;
}

namespace {

// The lowest address of the calling thread's stack, or null when unknown. Looked up once per
// thread: on the main thread pthread_getattr_np parses /proc/self/maps, which cost more than a
// small evaluation itself.
const char* ThreadStackLow() {
  thread_local const char* const low = [] {
    const char* found = nullptr;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* base = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &base, &size) == 0) found = static_cast<const char*>(base);
      pthread_attr_destroy(&attr);
    }
    return found;
  }();
  return low;
}

}  // namespace

Value Evaluator::Run(const Node* root, const Value& input, Frame* globals) {
  char marker = 0;
  stack_base_ = &marker;
  // Never use more native stack than this thread has left (minus room for library calls).
  if (const char* low = ThreadStackLow(); low != nullptr) {
    constexpr size_t kReserve = 256u << 10;
    auto available = static_cast<size_t>(&marker - low);
    limits_.max_stack_bytes =
        std::min(limits_.max_stack_bytes, available > kReserve ? available - kReserve : 0);
  }
  if (limits_.time_limit_ms > 0) {
    has_deadline_ = true;
    deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(limits_.time_limit_ms);
  }
  globals_ = globals;
  // A top-level array is one context item: wrap it so the first step sees the whole array.
  Value context = input;
  if (input.IsArray() && !input.IsSequence()) {
    auto wrapper = NewArray(true);
    wrapper->outer_wrapper = true;
    wrapper->items.push_back(input);
    context = Value::FromArray(std::move(wrapper));
  }
  // `$$`, the root context. An unbound name reads as undefined too, so an evaluation without
  // input (as Step Functions' fields are) binds nothing.
  if (context.IsDefined()) globals->Define("$", context);
  Value result = Evaluate(root, context, globals);
  if (IsTupleStream(result)) result = TupleContexts(result);
  if (result.IsFunction() && result.AsFunction().kind == FunctionKind::kThunk) {
    result = Apply(result, {}, input, root->position);
  }
  return result;
}

int64_t Evaluator::NowMillis() const {
  if (now_ms_ < 0) {
    now_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  }
  return now_ms_;
}

const Node* Evaluator::Adopt(NodePtr tree) {
  adopted_.push_back(std::move(tree));
  return adopted_.back().get();
}

void Evaluator::CheckStringSize(size_t bytes, int64_t position) const {
  if (bytes > limits_.max_string_bytes) {
    FailWithMessage("U1001", "String result exceeds the maximum length", position);
  }
}

void Evaluator::CheckBudgetSlow(int64_t position) {
  if (depth_ > limits_.max_depth) Fail("U1001", position);
  char marker = 0;
  if (stack_base_ != nullptr &&
      static_cast<size_t>(stack_base_ - &marker) > limits_.max_stack_bytes) {
    Fail("U1001", position);
  }
  // Reached for the time bound only every 256 steps (the caller counted this one).
  if (has_deadline_ && (steps_ & 255) == 0 && std::chrono::steady_clock::now() > deadline_) {
    Fail("U1001", position);
  }
}

Value Evaluator::Evaluate(const Node* n, const Value& input, Frame* env, bool as_step) {
  // Plain field paths (`$states.input.a`, `a.b`) and literals, the usual leaves: nothing below
  // them recurses and their result needs none of the adjustments after EvaluateCore.
  if (n->simple_names) {
    Value walked;
    if (WalkFieldNames(n, input, env, &walked)) return walked;
  } else if (n->kind == NodeKind::kLiteral && n->stages.empty() && !n->group) {
    return n->literal;
  }
  depth_++;
  CheckBudget(n->position);
  Value result = EvaluateCore(n, input, env);
  if (IsTupleStream(result)) {
    if (n->kind == NodeKind::kPath || n->kind == NodeKind::kBlock) {
      depth_--;
      return result;
    }
    result = TupleContexts(result);
  }
  if (!as_step && !n->stages.empty() && n->kind != NodeKind::kPath) {
    for (const auto& stage : n->stages) {
      if (stage.filter) result = ApplyFilter(stage.filter.get(), result, env);
    }
  }
  if (n->group && n->kind != NodeKind::kPath) {
    std::vector<Value> items;
    if (result.IsArray()) {
      items = result.AsArray().items;
    } else {
      items.push_back(result);
    }
    result = EvaluateGroup(n->group.get(), items, {}, env);
  }
  if (result.IsSequence()) {
    auto& arr = result.MutableArray();
    if (n->keep_array) arr.keep_singleton = true;
    if (arr.items.empty()) {
      result = Value();
    } else if (arr.items.size() == 1 && !arr.keep_singleton) {
      Value single = arr.items[0];
      result = std::move(single);
    }
  }
  depth_--;
  return result;
}

Value Evaluator::EvaluateCore(const Node* n, const Value& input, Frame* env) {
  switch (n->kind) {
    case NodeKind::kLiteral:
    case NodeKind::kRegex:
      return n->literal;
    case NodeKind::kName:
      return LookupField(input, n->str);
    case NodeKind::kVariable: {
      if (n->str.empty()) {
        if (input.IsArray() && input.AsArray().outer_wrapper) return input.AsArray().items[0];
        return input;
      }
      const Value* v = LookupVariable(env, n);
      return v == nullptr ? Value() : *v;
    }
    case NodeKind::kParent: {
      const Value* v = env->Lookup(n->parent_slot->label);
      return v == nullptr ? Value() : *v;
    }
    case NodeKind::kWildcard:
      return Wildcard(input);
    case NodeKind::kDescendant: {
      if (input.IsUndefined()) return Value();
      Value result = MakeSequence();
      CollectDescendants(input, result.MutableArray().items);
      return result;
    }
    case NodeKind::kPath:
      return n->tuple_path ? EvaluateTuplePath(n, input, env) : EvaluatePath(n, input, env);
    case NodeKind::kBinary:
      return EvaluateBinary(n, input, env);
    case NodeKind::kNegate: {
      Value v = Evaluate(n->lhs.get(), input, env);
      if (v.IsUndefined()) return v;
      if (!v.IsNumber()) Fail("D1002", n->position, "-", v);
      return Value::Number(-v.AsNumber());
    }
    case NodeKind::kArray:
      return EvaluateArray(n, input, env);
    case NodeKind::kObject: {
      if (!input.IsArray()) return GroupSingle(n, input, env);
      std::vector<Value> items;
      if (input.IsArray()) {
        items = input.AsArray().items;
      } else {
        items.push_back(input);
      }
      return EvaluateGroup(n, items, {}, env);
    }
    case NodeKind::kCall:
      return EvaluateCall(n, input, env);
    case NodeKind::kPlaceholder:
      return Value();
    case NodeKind::kLambda:
      return MakeLambda(n, input, env);
    case NodeKind::kCondition: {
      Value cond = Evaluate(n->lhs.get(), input, env);
      if (ToBoolean(cond)) return Evaluate(n->rhs.get(), input, env);
      if (n->third) return Evaluate(n->third.get(), input, env);
      return Value();
    }
    case NodeKind::kElvis: {
      Value lhs = Evaluate(n->lhs.get(), input, env);
      if (ToBoolean(lhs)) return lhs;
      return Evaluate(n->rhs.get(), input, env);
    }
    case NodeKind::kCoalesce: {
      Value lhs = Evaluate(n->lhs.get(), input, env);
      if (lhs.IsDefined()) return lhs;
      return Evaluate(n->rhs.get(), input, env);
    }
    case NodeKind::kBind: {
      Value v = Evaluate(n->rhs.get(), input, env);
      env->Bind(n->lhs->str, v);
      return v;
    }
    case NodeKind::kBlock: {
      Frame* scope = NewFrame(env);
      Value result;
      for (const auto& item : n->items) result = Evaluate(item.get(), input, scope);
      ReleaseFrame(scope);
      return result;
    }
    case NodeKind::kApply:
      return EvaluateApplyOp(n, input, env);
    case NodeKind::kTransform:
      return EvaluateTransform(n, input, env);
    case NodeKind::kSort: {
      std::vector<Value> items;
      if (input.IsArray()) {
        items = input.AsArray().items;
      } else if (input.IsDefined()) {
        items.push_back(input);
      }
      std::vector<size_t> order = SortOrder(n, items, {}, env);
      Value result = MakeSequence();
      for (size_t i : order) result.MutableArray().items.push_back(items[i]);
      return result;
    }
  }
  return Value();
}

}  // namespace flowstate::query::jsonata

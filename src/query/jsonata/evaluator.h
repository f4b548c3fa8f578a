// Evaluator: walks the compiled tree for one evaluation. Holds the per-evaluation state (scope
// arena, depth and time budget); the tree itself is never modified, so concurrent evaluations
// of one Expression each use their own Evaluator.
#pragma once
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "query/jsonata/ast.h"
#include "query/jsonata/frame.h"
#include "query/jsonata/function_data.h"

namespace flowstate::query::jsonata {

struct EvalLimits {
  int max_depth = 10000;      // nested evaluations (U1001 beyond; the stack bound applies too)
  int64_t time_limit_ms = 0;  // 0: none
  size_t max_stack_bytes = 6u << 20;    // native stack allowed below the entry point
  size_t max_string_bytes = 64u << 20;  // longest string an evaluation may build
};

using FunctionTable = std::unordered_map<std::string, Value>;

}  // namespace flowstate::query::jsonata

namespace flowstate::base {
class Rng;
}  // namespace flowstate::base

namespace flowstate::query::jsonata {

class Evaluator {
 public:
  Evaluator(const EvalLimits& limits, const FunctionTable* extra_functions,
            base::Rng* rng = nullptr);

  Value Run(const Node* root, const Value& input, Frame* globals);
  Value Evaluate(const Node* n, const Value& input, Frame* env, bool as_step = false);
  // Calls a function value (native, lambda, partial or regex) with arguments.
  Value Apply(const Value& fn, std::vector<Value> args, const Value& input, int64_t position,
              const std::string& call_name = "");
  Frame* NewFrame(Frame* parent);
  void ReleaseFrame(Frame* frame);
  const Value* LookupVariable(Frame* env, const std::string& name) const;
  // The same for a `$name` node of the tree: its built-in is resolved already.
  const Value* LookupVariable(Frame* env, const Node* variable) const;
  // The evaluation's timestamp: $now() and $millis() agree within one evaluation. Read from
  // the clock on first use only (most evaluations never ask).
  int64_t NowMillis() const;
  // Keeps a tree compiled during evaluation ($eval) alive as long as values may refer to it.
  const Node* Adopt(NodePtr tree);
  Frame* globals() const { return globals_; }
  // The random source of the host's extra functions ($uuid, $random); may be null.
  base::Rng* rng() const { return rng_; }
  // Fails with U1001 when a string being built exceeds the memory bound.
  void CheckStringSize(size_t bytes, int64_t position) const;

 private:
  struct Tuple {
    Value at;
    std::vector<std::pair<std::string, Value>> binds;
  };

  Value EvaluateCore(const Node* n, const Value& input, Frame* env);
  // Fails with U1001 past the depth, native stack or time bound. Inline: it runs for every node.
  void CheckBudget(int64_t position) {
    char marker = 0;
    if (depth_ > limits_.max_depth ||
        (stack_base_ != nullptr &&
         static_cast<size_t>(stack_base_ - &marker) > limits_.max_stack_bytes) ||
        (has_deadline_ && (++steps_ & 255) == 0)) {
      CheckBudgetSlow(position);
    }
  }
  void CheckBudgetSlow(int64_t position);

  // Operators (evaluator_ops.cc).
  Value EvaluateBinary(const Node* n, const Value& input, Frame* env);
  Value EvaluateArith(const Node* n, const Value& lhs, const Value& rhs);
  Value EvaluateCompare(const Node* n, const Value& lhs, const Value& rhs);
  Value EvaluateRange(const Node* n, const Value& lhs, const Value& rhs);
  Value EvaluateArray(const Node* n, const Value& input, Frame* env);
  Value EvaluateCall(const Node* n, const Value& input, Frame* env);
  Value EvaluateApplyOp(const Node* n, const Value& input, Frame* env);
  Value EvaluateTransform(const Node* n, const Value& input, Frame* env);
  Value MakeLambda(const Node* n, const Value& input, Frame* env);

  // Paths (evaluator_path.cc).
  Value EvaluatePath(const Node* n, const Value& input, Frame* env);
  bool WalkFieldNames(const Node* n, const Value& input, Frame* env, Value* out);
  Value EvaluateTuplePath(const Node* n, const Value& input, Frame* env);
  Value EvaluateStep(const Node* step, const std::vector<Value>& input, Frame* env, bool last);
  Value ApplyFilter(const Node* predicate, const Value& input, Frame* env);
  std::vector<Tuple> FilterTuples(const Node* predicate, std::vector<Tuple> input, Frame* env);
  std::vector<size_t> SortOrder(const Node* sort, const std::vector<Value>& contexts,
                                const std::vector<Frame*>& envs, Frame* env);
  Value EvaluateGroup(const Node* group, const std::vector<Value>& items,
                      const std::vector<Frame*>& envs, Frame* env);
  Value GroupSingle(const Node* group, const Value& item, Frame* env);
  Frame* TupleFrame(Frame* env, const Tuple& t);

  EvalLimits limits_;
  const FunctionTable* extra_functions_;
  base::Rng* rng_;
  // The first scope (the globals) lives inline: most evaluations need no other, and a deque
  // allocates even when empty. Further scopes go to the deque (stable addresses).
  Frame first_frame_{nullptr};
  bool first_frame_used_ = false;
  std::optional<std::deque<Frame>> frames_;
  std::vector<Frame*> free_frames_;
  int depth_ = 0;
  uint64_t steps_ = 0;
  const char* stack_base_ = nullptr;
  std::chrono::steady_clock::time_point deadline_;
  bool has_deadline_ = false;
  mutable int64_t now_ms_ = -1;  // -1: not read yet
  Frame* globals_ = nullptr;
  std::vector<NodePtr> adopted_;
};

// Field lookup; over an array it maps and flattens into a sequence.
Value LookupField(const Value& input, const std::string& key);

// Regex called as a function: the match object {match, start, end, groups, next}.
Value RegexMatchValue(Evaluator& evaluator, const std::shared_ptr<const Regex>& regex,
                      const Value& subject, size_t from);

// Flattens arrays nested inside `v` into `out` (used by $append-like accumulation).
Value AppendValues(const Value& a, const Value& b);

}  // namespace flowstate::query::jsonata

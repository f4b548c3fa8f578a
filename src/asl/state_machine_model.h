// StateMachineModel is the compiled, immutable form of one ASL definition: every state of every
// scope (the top level, each Parallel branch, each Map processor) with its fields parsed and its
// paths/templates/rules compiled once, and transitions resolved to indexes so the engine never
// looks a state up by name. Built by asl::BuildModel (asl/definition.h), shared as
// shared_ptr<const StateMachineModel> by every execution of that definition. Thread-safe (const).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/interned_name.h"
#include "json/json.h"

namespace flowstate::query {
class JsonPath;         // query/json_path.h
class PayloadTemplate;  // query/payload_template.h
class ChoiceRule;       // query/choice_rule.h
class DynamicValue;     // query/payload_template.h
class ResultPath;       // query/result_path.h
class JsonataTemplate;  // query/jsonata_template.h
}  // namespace flowstate::query

namespace flowstate::asl {

enum class StateType : uint8_t { kPass, kTask, kChoice, kWait, kSucceed, kFail, kParallel, kMap };

// "Pass", "Task", ...: the prefix of the state's history events ("PassStateEntered").
std::string_view StateTypeName(StateType type);

using StateIndex = int32_t;  // index into Scope::states
using ScopeIndex = int32_t;  // index into StateMachineModel::scopes()
constexpr StateIndex kNoState = -1;
constexpr ScopeIndex kRootScope = 0;

// A JSONPath-valued field (InputPath, OutputPath, ResultPath, ItemsPath, *Path). AWS tells
// "absent" (default `$`) from `null` (InputPath/OutputPath: `{}`; ResultPath: discard the result).
struct PathField {
  bool present = false;
  bool is_null = false;
  std::string text;                             // as written
  std::shared_ptr<const query::JsonPath> path;  // set when present and not null
  bool uses_context = false;                    // text starts with "$$"

  bool IsIdentity() const { return !present || (!is_null && text == "$"); }
};

// A payload template (Parameters, ResultSelector, ItemSelector) or a single path/intrinsic
// expression wrapped as one (Fail ErrorPath/CausePath, Task TimeoutSecondsPath, ...).
struct TemplateField {
  bool present = false;
  json::Json raw;
  std::shared_ptr<const query::PayloadTemplate> compiled;
  bool uses_context = false;  // mentions "$$" somewhere: build the context object for it
};

// A field holding one path or one intrinsic function call (Fail ErrorPath/CausePath).
struct ExpressionField {
  bool present = false;
  std::string text;
  std::shared_ptr<const query::DynamicValue> compiled;
  bool uses_context = false;
};

// ResultPath (of a state or a Catcher): absent means `$` (replace); null discards the result.
struct ResultPathField {
  bool present = false;
  bool is_null = false;
  std::string text;
  std::shared_ptr<const query::ResultPath> compiled;  // set when present
};

// A field of a JSONata-mode state (Arguments, Output, Items, TimeoutSeconds, ...): JSON in which
// "{% expr %}" strings are expressions (a plain value compiles to a constant).
struct JsonataField {
  bool present = false;
  std::shared_ptr<const query::JsonataTemplate> compiled;
};

// Assign (both query languages): the variables a state, Catcher or Choice rule sets when it is
// left. JSONPath mode: a payload template whose `$` is the state's result; JSONata mode: a
// JSONata template. Exactly one of the two is set when present.
struct AssignField {
  bool present = false;
  std::shared_ptr<const query::PayloadTemplate> jsonpath;
  std::shared_ptr<const query::JsonataTemplate> jsonata;
  bool uses_context = false;  // JSONPath template mentions "$$"
};

enum class JitterStrategy : uint8_t { kNone, kFull };

struct Retrier {
  std::vector<std::string> error_equals;
  int64_t interval_seconds = 1;
  int64_t max_attempts = 3;
  double backoff_rate = 2.0;
  std::optional<int64_t> max_delay_seconds;
  JitterStrategy jitter = JitterStrategy::kNone;
};

struct Catcher {
  std::vector<std::string> error_equals;
  StateIndex next = kNoState;
  ResultPathField result_path;  // absent: `$` (replace the input with {Error, Cause})
  JsonataField output;          // JSONata: absent means the error output
  AssignField assign;
  std::string field_prefix;  // "Catch[i]/": how causes name this Catcher's fields
};

struct ChoiceBranch {
  std::shared_ptr<const query::ChoiceRule> rule;  // JSONPath rules
  JsonataField condition;                         // JSONata rules
  JsonataField output;                            // JSONata: replaces the state's Output
  AssignField assign;                             // replaces the state's Assign
  std::string field_prefix;                       // "Choices[i]/": how causes name its fields
  StateIndex next = kNoState;
  bool uses_context = false;
};

enum class TaskKind : uint8_t {
  kLambdaInvoke,  // arn:aws:states:::lambda:invoke
  kLambdaLegacy,  // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
  kActivity,      // arn:aws:states:REGION:ACCOUNT:activity:NAME
  kUnsupported,   // any other resource: fails at run time with a clear States.Runtime cause
};

struct TaskSpec {
  TaskKind kind = TaskKind::kUnsupported;
  std::string resource;              // as written
  std::string function_name;         // legacy: the function ARN (the Resource itself)
  std::string region;                // from the resource ARN when it has one, else empty
  std::string resource_type;         // "lambda" for optimized integrations
  std::string resource_api;          // "invoke", "invoke.waitForTaskToken"
  bool wait_for_task_token = false;  // `.waitForTaskToken`: the result comes from SendTask*
  std::optional<int64_t> timeout_seconds;
  PathField timeout_seconds_path;
  std::optional<int64_t> heartbeat_seconds;
  PathField heartbeat_seconds_path;
  JsonataField timeout_seconds_expr;    // JSONata: TimeoutSeconds as an expression
  JsonataField heartbeat_seconds_expr;  // JSONata: HeartbeatSeconds as an expression
  bool has_credentials = false;
  json::Json credentials;  // raw Credentials object, when present
};

enum class WaitKind : uint8_t { kSeconds, kTimestamp, kSecondsPath, kTimestampPath };

struct WaitSpec {
  WaitKind kind = WaitKind::kSeconds;
  int64_t seconds = 0;
  base::Timestamp timestamp{};
  PathField path;     // SecondsPath / TimestampPath
  JsonataField expr;  // JSONata: Seconds / Timestamp given as an expression
};

struct FailSpec {
  std::optional<std::string> error;
  std::optional<std::string> cause;
  ExpressionField error_path;  // ErrorPath: a path or an intrinsic function
  ExpressionField cause_path;  // CausePath
  JsonataField error_expr;     // JSONata: Error as an expression
  JsonataField cause_expr;     // JSONata: Cause as an expression
};

struct ParallelSpec {
  std::vector<ScopeIndex> branches;
};

struct MapSpec {
  ScopeIndex processor = -1;    // ItemProcessor or legacy Iterator
  bool distributed = false;     // ItemProcessor.ProcessorConfig.Mode == DISTRIBUTED
  std::string execution_type;   // ProcessorConfig.ExecutionType (distributed), e.g. "STANDARD"
  PathField items_path;         // absent: `$`
  TemplateField item_selector;  // ItemSelector, or legacy Parameters of a Map
  int64_t max_concurrency = 0;  // 0 = unlimited
  PathField max_concurrency_path;
  std::optional<int64_t> tolerated_failure_count;
  PathField tolerated_failure_count_path;
  std::optional<double> tolerated_failure_percentage;
  PathField tolerated_failure_percentage_path;
  std::string label;
  // JSONata mode.
  JsonataField items;  // absent: the state input
  JsonataField item_selector_jsonata;
  JsonataField max_concurrency_expr;
  JsonataField tolerated_failure_count_expr;
  JsonataField tolerated_failure_percentage_expr;
};

struct State {
  std::string name;
  StateType type = StateType::kPass;
  base::InternedName entered_event_type;  // "PassStateEntered", ...: precomputed for the engine
  base::InternedName exited_event_type;   // "PassStateExited", ...
  StateIndex next = kNoState;             // kNoState with end == true for terminal transitions
  bool end = false;
  std::string comment;
  bool jsonata = false;  // QueryLanguage of this state (its own, else the definition's)

  PathField input_path;
  PathField output_path;
  ResultPathField result_path;
  TemplateField parameters;       // Pass/Task/Parallel (Map's legacy Parameters: map.item_selector)
  TemplateField result_selector;  // Task/Parallel/Map
  bool has_result = false;        // Pass Result
  json::Json result;
  JsonataField arguments;  // JSONata: Task/Parallel Arguments
  JsonataField output;     // JSONata: Output
  AssignField assign;

  std::vector<Retrier> retriers;
  std::vector<Catcher> catchers;

  // Type-specific parts; only the one matching `type` is meaningful.
  TaskSpec task;
  std::vector<ChoiceBranch> choices;
  StateIndex default_next = kNoState;  // Choice Default
  WaitSpec wait;
  FailSpec fail;
  ParallelSpec parallel;
  MapSpec map;

  // Whether any field of this state reads `$$`, so the engine builds the context object only
  // for the states that need it.
  bool uses_context = false;
};

// A set of states with its own StartAt: the top level, a Parallel branch or a Map processor.
struct Scope {
  std::vector<State> states;
  StateIndex start_at = kNoState;
  std::unordered_map<std::string, StateIndex> by_name;
  ScopeIndex parent = -1;  // enclosing scope (-1 for the root)
  // Inside a Distributed Map processor: its events belong to child executions, not to the
  // parent history.
  bool in_distributed_map = false;

  StateIndex Find(std::string_view name) const;
};

class StateMachineModel {
 public:
  StateMachineModel(std::vector<Scope> scopes, std::optional<int64_t> timeout_seconds,
                    json::Json definition);

  const Scope& root() const { return scopes_[kRootScope]; }
  const Scope& scope(ScopeIndex index) const { return scopes_[static_cast<size_t>(index)]; }
  const std::vector<Scope>& scopes() const { return scopes_; }
  const State& state(ScopeIndex scope_index, StateIndex state_index) const {
    return scope(scope_index).states[static_cast<size_t>(state_index)];
  }
  // Top-level TimeoutSeconds (the execution timeout), when set.
  const std::optional<int64_t>& timeout_seconds() const { return timeout_seconds_; }
  const json::Json& definition() const { return definition_; }

 private:
  std::vector<Scope> scopes_;
  std::optional<int64_t> timeout_seconds_;
  json::Json definition_;
};

}  // namespace flowstate::asl

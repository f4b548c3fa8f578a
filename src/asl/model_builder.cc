#include "asl/model_builder.h"

#include <cmath>
#include <exception>
#include <utility>

#include "asl/definition.h"
#include "base/clock.h"
#include "query/jsonata_template.h"

namespace flowstate::asl {
namespace {

using base::Status;

Status Invalid(const std::string& where, const std::string& what) {
  return Status::InvalidArgument(where + ": " + what);
}

bool IsJsonataExpressionValue(const json::Json& value) {
  return value.is_string() && query::IsJsonataString(value.get_ref<const std::string&>());
}

std::optional<int64_t> GetInt(const json::Json& object, std::string_view key) {
  auto it = object.find(std::string(key));
  if (it == object.end() || !it->is_number()) {
    return std::nullopt;
  }
  if (it->is_number_float()) {
    double value = it->get<double>();
    if (!std::isfinite(value) || value != std::floor(value)) {
      return std::nullopt;
    }
    return static_cast<int64_t>(value);
  }
  if (it->is_number_unsigned()) {
    return static_cast<int64_t>(it->get<uint64_t>());
  }
  return it->get<int64_t>();
}

std::optional<double> GetDouble(const json::Json& object, std::string_view key) {
  auto it = object.find(std::string(key));
  if (it == object.end() || !it->is_number()) {
    return std::nullopt;
  }
  return it->get<double>();
}

std::string GetString(const json::Json& object, std::string_view key) {
  auto it = object.find(std::string(key));
  if (it == object.end() || !it->is_string()) {
    return {};
  }
  return it->get<std::string>();
}

// arn:<partition>:states:<region>:<account>:activity:<name>
bool IsActivityArn(std::string_view resource) {
  size_t pos = 0;
  for (int field = 0; field < 6; ++field) {
    const size_t colon = resource.find(':', pos);
    if (colon == std::string_view::npos) {
      return false;
    }
    const std::string_view part = resource.substr(pos, colon - pos);
    if ((field == 2 && part != "states") || (field == 5 && part != "activity")) {
      return false;
    }
    pos = colon + 1;
  }
  return pos < resource.size();
}

Status ResolveNext(const json::Json& object, const Scope& scope, const std::string& where,
                   std::string_view key, StateIndex& out) {
  auto it = object.find(std::string(key));
  if (it == object.end()) {
    return Status::Ok();
  }
  if (!it->is_string()) {
    return Invalid(where, std::string(key) + " must be a string");
  }
  StateIndex index = scope.Find(it->get_ref<const std::string&>());
  if (index == kNoState) {
    return Invalid(where, "Missing '" + std::string(key) + "' target: " + it->get<std::string>());
  }
  out = index;
  return Status::Ok();
}

Status ParseErrorEquals(const json::Json& object, const std::string& where,
                        std::vector<std::string>& out) {
  auto it = object.find("ErrorEquals");
  if (it == object.end() || !it->is_array() || it->empty()) {
    return Invalid(where, "ErrorEquals must be a non-empty array");
  }
  for (const auto& name : *it) {
    if (!name.is_string()) {
      return Invalid(where, "ErrorEquals entries must be strings");
    }
    out.push_back(name.get<std::string>());
  }
  return Status::Ok();
}

std::optional<StateType> ParseStateType(const std::string& text) {
  static const std::pair<std::string_view, StateType> kTypes[] = {
      {"Pass", StateType::kPass},         {"Task", StateType::kTask},
      {"Choice", StateType::kChoice},     {"Wait", StateType::kWait},
      {"Succeed", StateType::kSucceed},   {"Fail", StateType::kFail},
      {"Parallel", StateType::kParallel}, {"Map", StateType::kMap}};
  for (const auto& [name, type] : kTypes) {
    if (name == text) {
      return type;
    }
  }
  return std::nullopt;
}

}  // namespace

base::Result<std::shared_ptr<const StateMachineModel>> ModelBuilder::Build(
    const json::Json& definition) {
  if (!definition.is_object()) {
    return base::Err(Status::InvalidArgument("definition must be a JSON object"));
  }
  auto ql = definition.find("QueryLanguage");
  top_jsonata_ = ql != definition.end() && ql->is_string() && ql->get<std::string>() == "JSONata";
  std::optional<int64_t> timeout;
  if (definition.contains("TimeoutSeconds")) {
    timeout = GetInt(definition, "TimeoutSeconds");
    if (!timeout || *timeout < 0) {
      return base::Err(Status::InvalidArgument("TimeoutSeconds must be a non-negative integer"));
    }
  }
  auto root = BuildScope(definition, -1, "");
  if (!root) {
    return base::Err(root.error());
  }
  return std::make_shared<const StateMachineModel>(std::move(scopes_), timeout, definition);
}

base::Result<ScopeIndex> ModelBuilder::BuildScope(const json::Json& scope_json, ScopeIndex parent,
                                                  const std::string& where) {
  if (!scope_json.is_object()) {
    return base::Err(Invalid(where.empty() ? "/" : where, "must be an object"));
  }
  auto states_it = scope_json.find("States");
  if (states_it == scope_json.end() || !states_it->is_object() || states_it->empty()) {
    return base::Err(Invalid(where.empty() ? "/" : where, "States must be a non-empty object"));
  }
  auto index = static_cast<ScopeIndex>(scopes_.size());
  scopes_.emplace_back();
  Scope scope;
  scope.parent = parent;
  for (auto it = states_it->begin(); it != states_it->end(); ++it) {
    scope.by_name.emplace(it.key(), static_cast<StateIndex>(scope.states.size()));
    scope.states.emplace_back();
    scope.states.back().name = it.key();
  }
  std::string start_at = GetString(scope_json, "StartAt");
  scope.start_at = scope.Find(start_at);
  if (scope.start_at == kNoState) {
    return base::Err(Invalid(where.empty() ? "/" : where, "StartAt names no state: " + start_at));
  }
  size_t state_idx = 0;
  for (auto it = states_it->begin(); it != states_it->end(); ++it, ++state_idx) {
    State& state = scope.states[state_idx];
    if (Status status = BuildState(it.key(), it.value(), scope, state, index); !status.ok()) {
      return base::Err(status);
    }
  }
  scopes_[static_cast<size_t>(index)] = std::move(scope);
  return index;
}

Status ModelBuilder::BuildState(const std::string& name, const json::Json& state_json, Scope& scope,
                                State& state, ScopeIndex scope_index) {
  const std::string where = "/States/" + name;
  if (!state_json.is_object()) {
    return Invalid(where, "a state must be an object");
  }
  auto type = ParseStateType(GetString(state_json, "Type"));
  if (!type) {
    return Invalid(where, "unknown Type '" + GetString(state_json, "Type") + "'");
  }
  state.type = *type;
  state.entered_event_type =
      base::InternedName::Intern(std::string(StateTypeName(state.type)) + "StateEntered");
  state.exited_event_type =
      base::InternedName::Intern(std::string(StateTypeName(state.type)) + "StateExited");
  state.comment = GetString(state_json, "Comment");
  state.jsonata = top_jsonata_;
  if (auto ql = state_json.find("QueryLanguage"); ql != state_json.end() && ql->is_string()) {
    state.jsonata = ql->get<std::string>() == "JSONata";
  }
  if (Status status = ResolveNext(state_json, scope, where, "Next", state.next); !status.ok()) {
    return status;
  }
  auto end_it = state_json.find("End");
  state.end = end_it != state_json.end() && end_it->is_boolean() && end_it->get<bool>();
  bool needs_transition = state.type == StateType::kPass || state.type == StateType::kTask ||
                          state.type == StateType::kWait || state.type == StateType::kParallel ||
                          state.type == StateType::kMap;
  if (needs_transition && state.next == kNoState && !state.end) {
    return Invalid(where, "a state needs Next or End");
  }
  if (Status status = BuildDataFlow(state_json, state); !status.ok()) {
    return status;
  }
  if (Status status = BuildRetryCatch(state_json, scope, state); !status.ok()) {
    return status;
  }
  switch (state.type) {
    case StateType::kPass: {
      auto result_it = state_json.find("Result");
      if (result_it != state_json.end()) {
        state.has_result = true;
        state.result = *result_it;
      }
      return Status::Ok();
    }
    case StateType::kTask:
      return BuildTask(state_json, state);
    case StateType::kChoice:
      return BuildChoice(state_json, scope, state);
    case StateType::kWait:
      return BuildWait(state_json, state);
    case StateType::kFail:
      return BuildFail(state_json, state);
    case StateType::kParallel:
      return BuildParallel(state_json, state, scope_index);
    case StateType::kMap:
      return BuildMap(state_json, state, scope_index);
    case StateType::kSucceed:
      return Status::Ok();
  }
  return Status::Ok();
}

Status ModelBuilder::BuildDataFlow(const json::Json& state_json, State& state) {
  if (Status status = CompileAssignField(state_json, state.jsonata, state.assign); !status.ok()) {
    return Invalid("/States/" + state.name, status.message());
  }
  state.uses_context |= state.assign.uses_context;
  if (state.jsonata) {
    for (auto [key, field] : {std::pair<std::string_view, JsonataField*>{"Output", &state.output},
                              {"Arguments", &state.arguments}}) {
      if (Status status = CompileJsonataField(state_json, key, *field); !status.ok()) {
        return Invalid("/States/" + state.name, status.message());
      }
    }
    return Status::Ok();
  }
  if (Status status = CompileResultPathField(state_json, state.result_path); !status.ok()) {
    return Invalid("/States/" + state.name, status.message());
  }
  for (auto [key, field] : {std::pair<std::string_view, PathField*>{"InputPath", &state.input_path},
                            {"OutputPath", &state.output_path}}) {
    if (Status status = CompilePathField(state_json, key, *field); !status.ok()) {
      return Invalid("/States/" + state.name, status.message());
    }
    state.uses_context |= field->uses_context;
  }
  if (state.type != StateType::kMap) {
    if (Status status = CompileTemplateField(state_json, "Parameters", state.parameters);
        !status.ok()) {
      return Invalid("/States/" + state.name, status.message());
    }
    state.uses_context |= state.parameters.uses_context;
  }
  if (Status status = CompileTemplateField(state_json, "ResultSelector", state.result_selector);
      !status.ok()) {
    return Invalid("/States/" + state.name, status.message());
  }
  state.uses_context |= state.result_selector.uses_context;
  return Status::Ok();
}

Status ModelBuilder::BuildRetryCatch(const json::Json& state_json, const Scope& scope,
                                     State& state) {
  const std::string where = "/States/" + state.name;
  auto retry_it = state_json.find("Retry");
  if (retry_it != state_json.end()) {
    if (!retry_it->is_array()) {
      return Invalid(where, "Retry must be an array");
    }
    for (const auto& retrier_json : *retry_it) {
      if (!retrier_json.is_object()) {
        return Invalid(where, "a Retrier must be an object");
      }
      Retrier retrier;
      if (Status status = ParseErrorEquals(retrier_json, where + "/Retry", retrier.error_equals);
          !status.ok()) {
        return status;
      }
      if (auto value = GetInt(retrier_json, "IntervalSeconds")) retrier.interval_seconds = *value;
      if (auto value = GetInt(retrier_json, "MaxAttempts")) retrier.max_attempts = *value;
      if (auto value = GetDouble(retrier_json, "BackoffRate")) retrier.backoff_rate = *value;
      retrier.max_delay_seconds = GetInt(retrier_json, "MaxDelaySeconds");
      if (GetString(retrier_json, "JitterStrategy") == "FULL") {
        retrier.jitter = JitterStrategy::kFull;
      }
      state.retriers.push_back(std::move(retrier));
    }
  }
  auto catch_it = state_json.find("Catch");
  if (catch_it != state_json.end()) {
    if (!catch_it->is_array()) {
      return Invalid(where, "Catch must be an array");
    }
    for (const auto& catcher_json : *catch_it) {
      if (!catcher_json.is_object()) {
        return Invalid(where, "a Catcher must be an object");
      }
      Catcher catcher;
      if (Status status = CompileAssignField(catcher_json, state.jsonata, catcher.assign);
          !status.ok()) {
        return Invalid(where + "/Catch", status.message());
      }
      state.uses_context |= catcher.assign.uses_context;
      if (state.jsonata) {
        if (Status status = CompileJsonataField(catcher_json, "Output", catcher.output);
            !status.ok()) {
          return Invalid(where + "/Catch", status.message());
        }
      }
      if (Status status = ParseErrorEquals(catcher_json, where + "/Catch", catcher.error_equals);
          !status.ok()) {
        return status;
      }
      if (Status status = ResolveNext(catcher_json, scope, where + "/Catch", "Next", catcher.next);
          !status.ok()) {
        return status;
      }
      if (catcher.next == kNoState) {
        return Invalid(where, "a Catcher needs Next");
      }
      if (!state.jsonata) {
        if (Status status = CompileResultPathField(catcher_json, catcher.result_path);
            !status.ok()) {
          return Invalid(where + "/Catch", status.message());
        }
      }
      catcher.field_prefix = "Catch[" + std::to_string(state.catchers.size()) + "]/";
      state.catchers.push_back(std::move(catcher));
    }
  }
  return Status::Ok();
}

Status ModelBuilder::BuildTask(const json::Json& state_json, State& state) {
  const std::string where = "/States/" + state.name;
  TaskSpec& task = state.task;
  task.resource = GetString(state_json, "Resource");
  constexpr std::string_view kInvoke = "arn:aws:states:::lambda:invoke";
  constexpr std::string_view kWaitSuffix = ".waitForTaskToken";
  constexpr std::string_view kLegacyPrefix = "arn:aws:lambda:";
  if (task.resource == kInvoke ||
      task.resource == std::string(kInvoke) + std::string(kWaitSuffix)) {
    task.kind = TaskKind::kLambdaInvoke;
    task.resource_type = "lambda";
    task.wait_for_task_token = task.resource != kInvoke;
    task.resource_api = task.wait_for_task_token ? "invoke.waitForTaskToken" : "invoke";
  } else if (IsActivityArn(task.resource)) {
    task.kind = TaskKind::kActivity;
  } else if (task.resource.rfind(kLegacyPrefix, 0) == 0 &&
             task.resource.find(":function:") != std::string::npos) {
    task.kind = TaskKind::kLambdaLegacy;
    task.function_name = task.resource;
    size_t region_start = kLegacyPrefix.size();
    size_t region_end = task.resource.find(':', region_start);
    task.region = task.resource.substr(region_start, region_end - region_start);
  } else {
    task.kind = TaskKind::kUnsupported;
  }
  if (state.jsonata) {
    for (auto [key, field] :
         {std::pair<std::string_view, JsonataField*>{"TimeoutSeconds", &task.timeout_seconds_expr},
          {"HeartbeatSeconds", &task.heartbeat_seconds_expr}}) {
      auto it = state_json.find(std::string(key));
      if (it == state_json.end() || !IsJsonataExpressionValue(*it)) continue;
      if (Status status = CompileJsonataField(state_json, key, *field); !status.ok()) {
        return Invalid(where, status.message());
      }
    }
  }
  if (state_json.contains("TimeoutSeconds") && !task.timeout_seconds_expr.present) {
    task.timeout_seconds = GetInt(state_json, "TimeoutSeconds");
    if (!task.timeout_seconds || *task.timeout_seconds <= 0) {
      return Invalid(where, "TimeoutSeconds must be a positive integer");
    }
  }
  if (state_json.contains("HeartbeatSeconds") && !task.heartbeat_seconds_expr.present) {
    task.heartbeat_seconds = GetInt(state_json, "HeartbeatSeconds");
    if (!task.heartbeat_seconds || *task.heartbeat_seconds <= 0) {
      return Invalid(where, "HeartbeatSeconds must be a positive integer");
    }
  }
  for (auto [key, field] :
       {std::pair<std::string_view, PathField*>{"TimeoutSecondsPath", &task.timeout_seconds_path},
        {"HeartbeatSecondsPath", &task.heartbeat_seconds_path}}) {
    if (Status status = CompilePathField(state_json, key, *field); !status.ok()) {
      return Invalid(where, status.message());
    }
    state.uses_context |= field->uses_context;
  }
  auto credentials = state_json.find("Credentials");
  if (credentials != state_json.end()) {
    task.has_credentials = true;
    task.credentials = *credentials;
  }
  return Status::Ok();
}

Status ModelBuilder::BuildWait(const json::Json& state_json, State& state) {
  const std::string where = "/States/" + state.name;
  WaitSpec& wait = state.wait;
  for (std::string_view key : {"Seconds", "Timestamp"}) {
    auto it = state_json.find(std::string(key));
    if (state.jsonata && it != state_json.end() && IsJsonataExpressionValue(*it)) {
      wait.kind = key == "Seconds" ? WaitKind::kSeconds : WaitKind::kTimestamp;
      return CompileJsonataField(state_json, key, wait.expr);
    }
  }
  if (state_json.contains("Seconds")) {
    auto seconds = GetInt(state_json, "Seconds");
    if (!seconds || *seconds < 0) {
      return Invalid(where, "Seconds must be a non-negative integer");
    }
    wait.kind = WaitKind::kSeconds;
    wait.seconds = *seconds;
  } else if (state_json.contains("Timestamp")) {
    auto timestamp = base::ParseIso8601(GetString(state_json, "Timestamp"));
    if (!timestamp) {
      return Invalid(where, "Timestamp must be an ISO-8601 date-time");
    }
    wait.kind = WaitKind::kTimestamp;
    wait.timestamp = *timestamp;
  } else if (state_json.contains("SecondsPath")) {
    wait.kind = WaitKind::kSecondsPath;
    if (Status status = CompilePathField(state_json, "SecondsPath", wait.path); !status.ok()) {
      return Invalid(where, status.message());
    }
  } else if (state_json.contains("TimestampPath")) {
    wait.kind = WaitKind::kTimestampPath;
    if (Status status = CompilePathField(state_json, "TimestampPath", wait.path); !status.ok()) {
      return Invalid(where, status.message());
    }
  } else {
    return Invalid(where, "a Wait state needs Seconds, Timestamp, SecondsPath or TimestampPath");
  }
  state.uses_context |= wait.path.uses_context;
  return Status::Ok();
}

Status ModelBuilder::BuildFail(const json::Json& state_json, State& state) {
  const std::string where = "/States/" + state.name;
  FailSpec& fail = state.fail;
  if (state.jsonata) {
    for (auto [key, field] : {std::pair<std::string_view, JsonataField*>{"Error", &fail.error_expr},
                              {"Cause", &fail.cause_expr}}) {
      if (Status status = CompileJsonataField(state_json, key, *field); !status.ok()) {
        return Invalid(where, status.message());
      }
    }
    return Status::Ok();
  }
  if (state_json.contains("Error")) fail.error = GetString(state_json, "Error");
  if (state_json.contains("Cause")) fail.cause = GetString(state_json, "Cause");
  for (auto [key, field] :
       {std::pair<std::string_view, ExpressionField*>{"ErrorPath", &fail.error_path},
        {"CausePath", &fail.cause_path}}) {
    if (Status status = CompileExpressionField(state_json, key, *field); !status.ok()) {
      return Invalid(where, status.message());
    }
    state.uses_context |= field->uses_context;
  }
  return Status::Ok();
}

Status ModelBuilder::BuildParallel(const json::Json& state_json, State& state,
                                   ScopeIndex scope_index) {
  const std::string where = "/States/" + state.name;
  auto branches = state_json.find("Branches");
  if (branches == state_json.end() || !branches->is_array() || branches->empty()) {
    return Invalid(where, "Branches must be a non-empty array");
  }
  for (size_t idx = 0; idx < branches->size(); ++idx) {
    auto branch =
        BuildScope((*branches)[idx], scope_index, where + "/Branches[" + std::to_string(idx) + "]");
    if (!branch) {
      return branch.error();
    }
    state.parallel.branches.push_back(*branch);
  }
  return Status::Ok();
}

Status ModelBuilder::BuildMap(const json::Json& state_json, State& state, ScopeIndex scope_index) {
  const std::string where = "/States/" + state.name;
  MapSpec& map = state.map;
  const json::Json* processor = nullptr;
  auto processor_it = state_json.find("ItemProcessor");
  if (processor_it != state_json.end()) {
    processor = &*processor_it;
  } else if (auto iterator_it = state_json.find("Iterator"); iterator_it != state_json.end()) {
    processor = &*iterator_it;
  }
  if (processor == nullptr) {
    return Invalid(where, "a Map state needs ItemProcessor (or Iterator)");
  }
  if (processor->is_object()) {
    auto config = processor->find("ProcessorConfig");
    if (config != processor->end() && config->is_object()) {
      map.distributed = GetString(*config, "Mode") == "DISTRIBUTED";
      map.execution_type = GetString(*config, "ExecutionType");
    }
  }
  for (std::string_view unsupported : {"ItemReader", "ResultWriter", "ItemBatcher"}) {
    if (state_json.contains(std::string(unsupported))) {
      return Invalid(where, "the field '" + std::string(unsupported) + "' is not supported yet");
    }
  }
  auto processor_scope = BuildScope(*processor, scope_index, where + "/ItemProcessor");
  if (!processor_scope) {
    return processor_scope.error();
  }
  map.processor = *processor_scope;
  if (map.distributed) {
    // Every scope built for this processor (it and the ones nested in it) runs as a child
    // execution.
    for (size_t idx = static_cast<size_t>(map.processor); idx < scopes_.size(); ++idx) {
      scopes_[idx].in_distributed_map = true;
    }
  }
  if (state.jsonata) {
    return BuildJsonataMap(state_json, state);
  }
  if (Status status = CompilePathField(state_json, "ItemsPath", map.items_path); !status.ok()) {
    return Invalid(where, status.message());
  }
  state.uses_context |= map.items_path.uses_context;
  const char* selector_key = state_json.contains("ItemSelector") ? "ItemSelector" : "Parameters";
  if (Status status = CompileTemplateField(state_json, selector_key, map.item_selector);
      !status.ok()) {
    return Invalid(where, status.message());
  }
  state.uses_context |= map.item_selector.uses_context;
  if (state_json.contains("MaxConcurrency")) {
    auto value = GetInt(state_json, "MaxConcurrency");
    if (!value || *value < 0) {
      return Invalid(where, "MaxConcurrency must be a non-negative integer");
    }
    map.max_concurrency = *value;
  }
  if (state_json.contains("ToleratedFailureCount")) {
    map.tolerated_failure_count = GetInt(state_json, "ToleratedFailureCount");
    if (!map.tolerated_failure_count) {
      return Invalid(where, "ToleratedFailureCount must be an integer");
    }
  }
  if (state_json.contains("ToleratedFailurePercentage")) {
    map.tolerated_failure_percentage = GetDouble(state_json, "ToleratedFailurePercentage");
    if (!map.tolerated_failure_percentage) {
      return Invalid(where, "ToleratedFailurePercentage must be a number");
    }
  }
  for (auto [key, field] :
       {std::pair<std::string_view, PathField*>{"MaxConcurrencyPath", &map.max_concurrency_path},
        {"ToleratedFailureCountPath", &map.tolerated_failure_count_path},
        {"ToleratedFailurePercentagePath", &map.tolerated_failure_percentage_path}}) {
    if (Status status = CompilePathField(state_json, key, *field); !status.ok()) {
      return Invalid(where, status.message());
    }
    state.uses_context |= field->uses_context;
  }
  map.label = GetString(state_json, "Label");
  return Status::Ok();
}

Status ModelBuilder::BuildJsonataMap(const json::Json& state_json, State& state) {
  const std::string where = "/States/" + state.name;
  MapSpec& map = state.map;
  for (auto [key, field] :
       {std::pair<std::string_view, JsonataField*>{"Items", &map.items},
        {"ItemSelector", &map.item_selector_jsonata},
        {"MaxConcurrency", &map.max_concurrency_expr},
        {"ToleratedFailureCount", &map.tolerated_failure_count_expr},
        {"ToleratedFailurePercentage", &map.tolerated_failure_percentage_expr}}) {
    if (Status status = CompileJsonataField(state_json, key, *field); !status.ok()) {
      return Invalid(where, status.message());
    }
  }
  map.label = GetString(state_json, "Label");
  return Status::Ok();
}

base::Result<std::shared_ptr<const StateMachineModel>> BuildModel(const json::Json& definition) {
  try {
    ModelBuilder builder;
    return builder.Build(definition);
  } catch (const std::exception& e) {
    // nlohmann throws on type mismatches the checks above missed: a Status, never a crash.
    return base::Err(Status::InvalidArgument(std::string("cannot build the model: ") + e.what()));
  }
}

}  // namespace flowstate::asl

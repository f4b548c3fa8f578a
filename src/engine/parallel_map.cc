// Parallel and Map states: child frames per branch / iteration, started in order (up to the
// Map's concurrency), their results collected in order; the first failure aborts the siblings
// (Distributed Map: only beyond the tolerated failure threshold).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "engine/executor.h"
#include "json/discard.h"
#include "json/json.h"
#include "query/java_text.h"
#include "query/json_path.h"
#include "query/jsonata_template.h"
#include "query/payload_template.h"

namespace flowstate::engine {
namespace {

// Map frame bookkeeping kept in Frame::effective_input: [effective input, items,
// tolerated failure count|null, tolerated failure percentage|null, map run ARN|null].
constexpr size_t kMapInput = 0;
constexpr size_t kMapItems = 1;
constexpr size_t kMapToleratedCount = 2;
constexpr size_t kMapToleratedPercentage = 3;

std::string ShowValue(const json::Json& value) {
  return value.is_string() ? value.get<std::string>() : json::Dump(value);
}

// An integer, or a string holding one in decimal (AWS reads "1" from a variable as 1).
std::optional<int64_t> IntegerValue(const json::Json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.get_ref<const std::string&>();
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t number = 0;
  size_t start = text[0] == '-' ? 1 : 0;
  if (start == text.size()) return std::nullopt;
  for (size_t idx = start; idx < text.size(); ++idx) {
    if (text[idx] < '0' || text[idx] > '9') return std::nullopt;
    number = number * 10 + (text[idx] - '0');
  }
  return start == 1 ? -number : number;
}

}  // namespace

void Executor::RunParallel(int32_t frame_id, const asl::State& state) {
  const json::Json& input = frame(frame_id).input;
  Expected effective;
  if (state.jsonata) {
    effective = JsonataArguments(frame_id, state);
  } else {
    effective = ApplyInputPath(frame_id, state, input);
    if (effective && state.parameters.present) {
      effective = ApplyTemplate(frame_id, state, state.parameters, *effective);
    }
  }
  if (!effective) {
    HandleStateError(frame_id, std::move(effective.error()));
    return;
  }
  Emit(frame_id, "ParallelStateStarted", "");
  model::Frame& current = frame(frame_id);
  current.phase = model::FramePhase::kWaitChildren;
  current.effective_input = std::move(*effective);
  current.results.assign(state.parallel.branches.size(), nullptr);
  current.next_child = 0;
  current.running_children = 0;
  current.failed_children = 0;
  current.max_concurrency = 0;
  current.has_child_error = false;
  PumpChildren(frame_id);
}

void Executor::RunMap(int32_t frame_id, const asl::State& state) {
  if (state.jsonata) {
    RunMapJsonata(frame_id, state);
    return;
  }
  const asl::MapSpec& map = state.map;
  const json::Json& input = frame(frame_id).input;
  Expected effective = ApplyInputPath(frame_id, state, input);
  if (!effective) {
    HandleStateError(frame_id, std::move(effective.error()));
    return;
  }
  query::EvalContext ctx = MakeContext(frame_id, state, &*effective);
  json::Json items;
  if (map.items_path.present && map.items_path.path != nullptr) {
    auto selected = map.items_path.path->Select(ctx);
    if (!selected) {
      HandleStateError(frame_id, RuntimeError(frame_id, state, std::move(selected.error())));
      return;
    }
    items = std::move(*selected);
  } else {
    items = *effective;
  }
  if (!items.is_array()) {
    HandleStateError(
        frame_id, RuntimeError(frame_id, state,
                               {"States.Runtime",
                                "Map state input must be an array but was: " + json::Dump(items)}));
    return;
  }
  int64_t max_concurrency = map.max_concurrency;
  if (map.max_concurrency_path.present && map.max_concurrency_path.path != nullptr) {
    auto selected = map.max_concurrency_path.path->Select(ctx);
    if (!selected) {
      HandleStateError(frame_id, RuntimeError(frame_id, state, std::move(selected.error())));
      return;
    }
    std::optional<int64_t> value = IntegerValue(*selected);
    if (!value || *value < 0) {
      HandleStateError(
          frame_id,
          RuntimeError(frame_id, state,
                       {"States.Runtime",
                        "The MaxConcurrencyPath field refers to value \"" + ShowValue(*selected) +
                            "\" which is not a valid integer: " + map.max_concurrency_path.text}));
      return;
    }
    max_concurrency = *value;
  }
  Emit(frame_id, "MapStateStarted", "mapStateStartedEventDetails").details["length"] = items.size();
  json::Json tolerated_count = nullptr;
  json::Json tolerated_percentage = nullptr;
  if (map.tolerated_failure_count) tolerated_count = *map.tolerated_failure_count;
  if (map.tolerated_failure_percentage) tolerated_percentage = *map.tolerated_failure_percentage;
  if (map.tolerated_failure_count_path.present && map.tolerated_failure_count_path.path) {
    auto selected = map.tolerated_failure_count_path.path->Select(ctx);
    if (!selected) {
      HandleStateError(frame_id, RuntimeError(frame_id, state, std::move(selected.error())));
      return;
    }
    if (!selected->is_number_integer()) {
      HandleStateError(
          frame_id, RuntimeError(frame_id, state,
                                 {"States.Runtime",
                                  "The ToleratedFailureCountPath field refers to value \"" +
                                      ShowValue(*selected) + "\" which is not a valid integer: " +
                                      map.tolerated_failure_count_path.text}));
      return;
    }
    tolerated_count = *selected;
  }
  if (!tolerated_count.is_null() && tolerated_count.get<int64_t>() < 0) {
    HandleStateError(frame_id,
                     RuntimeError(frame_id, state,
                                  {"States.Runtime", "ToleratedFailureCount cannot be negative."}));
    return;
  }
  if (map.tolerated_failure_percentage_path.present && map.tolerated_failure_percentage_path.path) {
    auto selected = map.tolerated_failure_percentage_path.path->Select(ctx);
    if (!selected) {
      HandleStateError(frame_id, RuntimeError(frame_id, state, std::move(selected.error())));
      return;
    }
    if (!selected->is_number()) {
      HandleStateError(frame_id,
                       RuntimeError(frame_id, state,
                                    {"States.Runtime",
                                     "The ToleratedFailurePercentagePath field refers to value \"" +
                                         ShowValue(*selected) + "\" which is not a valid float: " +
                                         map.tolerated_failure_percentage_path.text}));
      return;
    }
    tolerated_percentage = *selected;
  }
  if (!tolerated_percentage.is_null() &&
      (tolerated_percentage.get<double>() < 0 || tolerated_percentage.get<double>() > 100)) {
    HandleStateError(frame_id, RuntimeError(frame_id, state,
                                            {"States.Runtime",
                                             "ToleratedFailurePercentage must be between 0 and "
                                             "100."}));
    return;
  }
  LaunchMap(frame_id, state, std::move(*effective), std::move(items), std::move(tolerated_count),
            std::move(tolerated_percentage), max_concurrency);
}

void Executor::RunMapJsonata(int32_t frame_id, const asl::State& state) {
  const asl::MapSpec& map = state.map;
  // AWS records MapStateFailed after an evaluation failure of the Map's own fields.
  auto fail = [&](base::AslError error) {
    HandleStateError(frame_id, std::move(error), "MapStateFailed");
  };
  StatesView view;
  view.input = &frame(frame_id).input;
  json::Json items;
  if (map.items.present) {
    Expected evaluated = EvalJsonata(frame_id, state, *map.items.compiled, "Items", view);
    if (!evaluated) {
      fail(std::move(evaluated.error()));
      return;
    }
    if (!evaluated->is_array()) {
      fail(RuntimeError(frame_id, state,
                        query::JsonataTypeError(map.items.compiled->single_text(), "Items", "array",
                                                *evaluated)));
      return;
    }
    items = std::move(*evaluated);
  } else {
    items = frame(frame_id).input;
    if (!items.is_array()) {
      fail(RuntimeError(frame_id, state,
                        {"States.QueryEvaluationError",
                         "Map state input must be an array but was: " + json::Dump(items), ""}));
      return;
    }
  }
  int64_t max_concurrency = map.max_concurrency;
  json::Json tolerated_count = nullptr;
  json::Json tolerated_percentage = nullptr;
  if (map.max_concurrency_expr.present) {
    auto value =
        EvalJsonataInteger(frame_id, state, map.max_concurrency_expr, "MaxConcurrency", view);
    if (!value) {
      fail(std::move(value.error()));
      return;
    }
    max_concurrency = *value;
  }
  if (map.tolerated_failure_count_expr.present) {
    auto value = EvalJsonataInteger(frame_id, state, map.tolerated_failure_count_expr,
                                    "ToleratedFailureCount", view);
    if (!value) {
      fail(std::move(value.error()));
      return;
    }
    tolerated_count = *value;
  }
  if (map.tolerated_failure_percentage_expr.present) {
    Expected value = EvalJsonata(frame_id, state, *map.tolerated_failure_percentage_expr.compiled,
                                 "ToleratedFailurePercentage", view);
    if (!value) {
      fail(std::move(value.error()));
      return;
    }
    if (!value->is_number()) {
      fail(RuntimeError(
          frame_id, state,
          query::JsonataTypeError(map.tolerated_failure_percentage_expr.compiled->single_text(),
                                  "ToleratedFailurePercentage", "number", *value)));
      return;
    }
    tolerated_percentage = *value;
  }
  if (max_concurrency < 0) {
    fail(RuntimeError(frame_id, state,
                      {"States.QueryEvaluationError", "MaxConcurrency cannot be negative."}));
    return;
  }
  Emit(frame_id, "MapStateStarted", "mapStateStartedEventDetails").details["length"] = items.size();
  if (!tolerated_count.is_null() && tolerated_count.get<int64_t>() < 0) {
    HandleStateError(frame_id,
                     RuntimeError(frame_id, state,
                                  {"States.Runtime", "ToleratedFailureCount cannot be negative."}));
    return;
  }
  if (!tolerated_percentage.is_null() &&
      (tolerated_percentage.get<double>() < 0 || tolerated_percentage.get<double>() > 100)) {
    HandleStateError(frame_id, RuntimeError(frame_id, state,
                                            {"States.Runtime",
                                             "ToleratedFailurePercentage must be between 0 and "
                                             "100."}));
    return;
  }
  LaunchMap(frame_id, state, frame(frame_id).input, std::move(items), std::move(tolerated_count),
            std::move(tolerated_percentage), max_concurrency);
}

void Executor::LaunchMap(int32_t frame_id, const asl::State& state, json::Json effective,
                         json::Json items, json::Json tolerated_count,
                         json::Json tolerated_percentage, int64_t max_concurrency) {
  const asl::MapSpec& map = state.map;
  json::Json map_run_arn = nullptr;
  if (map.distributed) {
    map_run_arn = MapRunArn(map.label.empty() ? state.name : map.label);
    Emit(frame_id, "MapRunStarted", "mapRunStartedEventDetails").details["mapRunArn"] =
        map_run_arn.get<std::string>();
  }
  size_t count = items.size();
  model::Frame& current = frame(frame_id);
  current.phase = model::FramePhase::kWaitChildren;
  current.effective_input = json::Json::array();
  current.effective_input.push_back(std::move(effective));
  current.effective_input.push_back(std::move(items));
  current.effective_input.push_back(std::move(tolerated_count));
  current.effective_input.push_back(std::move(tolerated_percentage));
  current.effective_input.push_back(std::move(map_run_arn));  // MapRunRedriven names it
  current.results.assign(count, nullptr);
  current.next_child = 0;
  current.running_children = 0;
  current.failed_children = 0;
  // Any limit past int32 is no limit in practice (a Map holds far fewer items).
  current.max_concurrency = static_cast<int32_t>(std::min<int64_t>(max_concurrency, INT32_MAX));
  current.has_child_error = false;
  PumpChildren(frame_id);
}

std::string Executor::MapRunArn(const std::string& label) {
  std::string arn = snapshot_.info.state_machine_arn;
  size_t pos = arn.find(":stateMachine:");
  if (pos != std::string::npos) {
    arn.replace(pos, std::string_view(":stateMachine:").size(), ":mapRun:");
  }
  ++snapshot_.map_run_counter;
  // arn:aws:states:REGION:ACCOUNT:mapRun:STATE_MACHINE/LABEL:UUID
  return arn + "/" + label + ":" + rng_.Uuid();
}

void Executor::PumpChildren(int32_t frame_id) {
  if (frame(frame_id).phase != model::FramePhase::kWaitChildren || frame(frame_id).pumping) {
    return;
  }
  const asl::State& state = StateOf(frame_id);
  const bool is_map = state.type == asl::StateType::kMap;
  const size_t total =
      is_map ? frame(frame_id).effective_input[kMapItems].size() : state.parallel.branches.size();
  frame(frame_id).pumping = true;
  while (!Ended()) {
    model::Frame& parent = frame(frame_id);
    if (parent.phase != model::FramePhase::kWaitChildren || parent.has_child_error ||
        static_cast<size_t>(parent.next_child) >= total ||
        (parent.max_concurrency > 0 && parent.running_children >= parent.max_concurrency)) {
      break;
    }
    if (budget_ <= 0) {
      outcome_.more_work = true;
      break;
    }
    int32_t index = parent.next_child++;
    json::Json child_input;
    if (!is_map) {
      child_input = parent.effective_input;
    } else {
      const json::Json& item = parent.effective_input[kMapItems][static_cast<size_t>(index)];
      if (state.jsonata && state.map.item_selector_jsonata.present) {
        const query::JsonataTemplate& selector = *state.map.item_selector_jsonata.compiled;
        StatesView view;
        view.input = &parent.effective_input[kMapInput];
        json::Json context;
        if (selector.may_read_context()) {
          context = BuildContext(frame_id, state);
          context["Map"] = {{"Item", {{"Index", index}, {"Value", item}}}};
          view.context = &context;
        }
        Expected selected = EvalJsonata(frame_id, state, selector, "ItemSelector", view);
        if (!selected) {
          frame(frame_id).pumping = false;
          AbortChildren(frame_id);
          ReleaseChildren(frame_id);  // the Map itself failed: a redrive reruns all of it
          frame(frame_id).phase = model::FramePhase::kEnter;
          frame(frame_id).results.clear();
          frame(frame_id).effective_input = nullptr;
          HandleStateError(frame_id, std::move(selected.error()), "MapStateFailed");
          return;
        }
        child_input = std::move(*selected);
      } else if (state.jsonata || !state.map.item_selector.present) {
        child_input = item;
      } else {
        query::EvalContext ctx;
        ctx.input = &parent.effective_input[kMapInput];
        ctx.rng = &rng_;
        ctx.variables = VisibleVariables(frame_id);
        if (state.map.item_selector.uses_context) {
          context_ = BuildContext(frame_id, state);
          context_["Map"] = {{"Item", {{"Index", index}, {"Value", item}}}};
          ctx.context = &context_;
        }
        auto selected = state.map.item_selector.compiled->Evaluate(ctx);
        if (!selected) {
          base::AslError error = RuntimeError(frame_id, state, std::move(selected.error()));
          frame(frame_id).pumping = false;
          AbortChildren(frame_id);
          ReleaseChildren(frame_id);  // the Map itself failed: a redrive reruns all of it
          frame(frame_id).phase = model::FramePhase::kEnter;
          frame(frame_id).results.clear();
          frame(frame_id).effective_input = nullptr;
          HandleStateError(frame_id, std::move(error), "MapStateFailed");
          return;
        }
        child_input = std::move(*selected);
      }
    }
    asl::ScopeIndex scope =
        is_map ? state.map.processor : state.parallel.branches[static_cast<size_t>(index)];
    if (is_map && !state.map.distributed) {
      model::HistoryEvent& started =
          Emit(frame_id, "MapIterationStarted", "mapIterationStartedEventDetails");
      if (options_.record_history) {
        started.details["index"] = index;
        started.details["name"] = state.name;
      }
    }
    int64_t chain = frame(frame_id).last_event_id;
    frame(frame_id).running_children += 1;
    int32_t child = NewFrame(frame_id, scope, index, std::move(child_input), chain);
    RunFrame(child);
    if (outcome_.more_work) {
      break;
    }
  }
  model::Frame& parent = frame(frame_id);
  parent.pumping = false;
  if (!Ended() && parent.phase == model::FramePhase::kWaitChildren &&
      parent.running_children == 0 &&
      (parent.has_child_error || static_cast<size_t>(parent.next_child) >= total)) {
    FinishComposite(frame_id);
  }
}

void Executor::ChildFinished(int32_t child_id) {
  model::Frame& child = frame(child_id);
  const int32_t parent_id = child.parent;
  const int32_t index = child.child_index;
  const int64_t child_last = child.last_event_id;
  const bool succeeded = child.phase == model::FramePhase::kDone;
  const asl::State& state = StateOf(parent_id);
  const bool is_map = state.type == asl::StateType::kMap;
  const bool inline_map = is_map && !state.map.distributed;
  const bool silent = model_.scope(frame(parent_id).scope).in_distributed_map;
  if (succeeded) {
    frame(parent_id).results[static_cast<size_t>(index)] = std::move(child.input);
  }
  base::AslError error{std::move(child.error), std::move(child.cause)};
  if (succeeded) {
    FreeFrame(child_id);
  } else {
    ParkChild(child_id);  // rerun by a redrive if this failure ends the execution
  }
  model::Frame& parent = frame(parent_id);
  parent.running_children -= 1;
  if (inline_map && !silent) {
    model::HistoryEvent& event =
        succeeded
            ? EmitWithPrev(child_last, "MapIterationSucceeded", "mapIterationSucceededEventDetails")
            : EmitWithPrev(child_last, "MapIterationFailed", "mapIterationFailedEventDetails");
    if (options_.record_history) {
      event.details["index"] = index;
      event.details["name"] = state.name;
    }
  }
  model::Frame& updated = frame(parent_id);
  if (!silent && child_last > updated.last_event_id) {
    updated.last_event_id = child_last;
  }
  if (!succeeded) {
    updated.failed_children += 1;
    // A tolerated failure of a Distributed Map contributes no entry to the result.
    updated.results[static_cast<size_t>(index)] = json::Json(json::Json::value_t::discarded);
    bool fails_state = true;
    if (is_map && state.map.distributed) {
      const json::Json& count = updated.effective_input[kMapToleratedCount];
      const json::Json& percentage = updated.effective_input[kMapToleratedPercentage];
      const double total = static_cast<double>(updated.effective_input[kMapItems].size());
      bool within = false;
      if (!count.is_null() && updated.failed_children <= count.get<int64_t>()) within = true;
      if (!percentage.is_null() && static_cast<double>(updated.failed_children) * 100.0 <=
                                       percentage.get<double>() * total) {
        within = true;
      }
      fails_state = !within;
      if (fails_state) {
        error = {"States.ExceedToleratedFailureThreshold",
                 "The specified tolerated failure threshold was exceeded"};
      }
    }
    if (fails_state && !updated.has_child_error) {
      updated.has_child_error = true;
      updated.error = std::move(error.error);
      updated.cause = std::move(error.cause);
      AbortChildren(parent_id);
    }
  }
  if (!frame(parent_id).pumping) {
    PumpChildren(parent_id);
  }
}

void Executor::FinishComposite(int32_t frame_id) {
  const asl::State& state = StateOf(frame_id);
  const bool is_map = state.type == asl::StateType::kMap;
  model::Frame& current = frame(frame_id);
  current.phase = model::FramePhase::kEnter;
  if (current.has_child_error) {
    // The results of the children that succeeded, the items and the failed children stay
    // (a redrive reruns only the failed ones) until Retry or Catch releases them.
    base::AslError error{std::move(current.error), std::move(current.cause)};
    current.has_child_error = false;
    current.error.clear();
    current.cause.clear();
    if (is_map && state.map.distributed) {
      model::HistoryEvent& failed = Emit(frame_id, "MapRunFailed", "mapRunFailedEventDetails");
      if (!error.error.empty()) failed.details["error"] = error.error;
      if (!error.cause.empty()) failed.details["cause"] = error.cause;
    }
    HandleStateError(
        frame_id, std::move(error),
        is_map ? base::InternedName("MapStateFailed") : base::InternedName("ParallelStateFailed"));
    return;
  }
  json::Json result = json::Json::array();
  result.get_ptr<json::Json::array_t*>()->reserve(current.results.size());
  for (json::Json& item : current.results) {
    if (!item.is_discarded()) {
      result.push_back(std::move(item));
    }
  }
  ReleaseChildren(frame_id);  // tolerated failures of a Distributed Map
  json::Discard(frame(frame_id).effective_input);
  if (!model_.scope(frame(frame_id).scope).in_distributed_map) {
    // AWS chains ...StateSucceeded to the latest event (the last iteration's end or the
    // MapRunSucceeded) and the ...StateExited to that same event. (A few recordings chain a
    // Distributed Map's Exited to the MapRunStarted instead: AWS races there.)
    if (is_map && state.map.distributed) {
      EmitWithPrev(frame(frame_id).last_event_id, "MapRunSucceeded", "");
    }
    int64_t chain = snapshot_.next_event_id - 1;
    EmitWithPrev(chain,
                 is_map ? base::InternedName("MapStateSucceeded")
                        : base::InternedName("ParallelStateSucceeded"),
                 "");
    frame(frame_id).last_event_id = chain;
  }
  FinishWithResult(frame_id, state, std::move(result));
}

void Executor::AbortChildren(int32_t frame_id) {
  const asl::State& state = StateOf(frame_id);
  const bool inline_map = state.type == asl::StateType::kMap && !state.map.distributed;
  for (size_t idx = 0; idx < snapshot_.frames.size(); ++idx) {
    auto child_id = static_cast<int32_t>(idx);
    if (snapshot_.frames[idx].phase == model::FramePhase::kFree ||
        snapshot_.frames[idx].parent != frame_id ||
        snapshot_.frames[idx].phase == model::FramePhase::kFailed) {
      continue;  // not a child, or one that failed (kept already)
    }
    AbortFrame(child_id);
    if (inline_map && !model_.scope(frame(frame_id).scope).in_distributed_map) {
      model::HistoryEvent& aborted = EmitWithPrev(
          frame(child_id).last_event_id, "MapIterationAborted", "mapIterationAbortedEventDetails");
      aborted.details["index"] = frame(child_id).child_index;
      aborted.details["name"] = state.name;
    }
    ParkChild(child_id);  // an aborted branch or iteration is rerun by a redrive too
  }
  frame(frame_id).running_children = 0;
}

void Executor::AbortFrame(int32_t frame_id) {
  model::Frame& current = frame(frame_id);
  if (current.state < 0) {
    return;
  }
  const asl::State& state = StateOf(frame_id);
  switch (current.phase) {
    case model::FramePhase::kWaitTask:
      CloseTaskToken(frame_id, /*timed_out=*/false);
      Emit(frame_id, "TaskStateAborted", "");
      break;
    case model::FramePhase::kWaitTimer:
      Emit(frame_id, "WaitStateAborted", "");
      break;
    case model::FramePhase::kRetryBackoff:
      Emit(frame_id,
           base::InternedName::Intern(std::string(asl::StateTypeName(state.type)) + "StateAborted"),
           "");
      break;
    case model::FramePhase::kWaitChildren:
      AbortChildren(frame_id);
      Emit(frame_id,
           state.type == asl::StateType::kMap ? base::InternedName("MapStateAborted")
                                              : base::InternedName("ParallelStateAborted"),
           "");
      break;
    default:
      return;
  }
  model::Frame& aborted = frame(frame_id);
  aborted.phase = model::FramePhase::kFailed;
  aborted.stamp = 0;
  aborted.timeout_stamp = 0;
}

}  // namespace flowstate::engine

// The states that complete within one step or wait on a timer: Pass, Choice, Wait, Succeed,
// Fail.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "engine/executor.h"
#include "json/compact_text.h"
#include "json/json.h"
#include "query/choice_rule.h"
#include "query/java_text.h"
#include "query/json_path.h"
#include "query/payload_template.h"
#include "query/result_path.h"

namespace flowstate::engine {

void Executor::ExitState(int32_t frame_id, const asl::State& state, json::Json&& output,
                         asl::StateIndex next, bool from_catch, json::Json&& assigned) {
  std::string text;
  const size_t size = PayloadSize(output, text);
  std::optional<base::AslError> failure;
  if (ExceedsPayloadLimit(size)) {
    failure = DataLimitError(state.name);
  } else if (assigned.is_object()) {
    failure = StoreVariables(frame_id, state, assigned);
  }
  if (failure) {
    if (from_catch) {
      FailScope(frame_id, std::move(*failure));
    } else {
      HandleStateError(frame_id, std::move(*failure));
    }
    return;
  }
  EmitStateExited(frame_id, state, text, assigned);
  Transition(frame_id, std::move(output), next, std::move(text), size);
}

void Executor::RunPass(int32_t frame_id, const asl::State& state) {
  if (state.jsonata) {
    StatesView view;
    view.input = &frame(frame_id).input;
    FinishJsonata(frame_id, state, view, frame(frame_id).input, state.next);
    return;
  }
  auto effective = SelectInput(frame_id, state);
  if (!effective) {
    HandleStateError(frame_id, std::move(effective.error()));
    return;
  }
  json::Json result;
  if (state.parameters.present) {
    // Parameters runs (and may fail) even when Result replaces its value.
    Expected built = ApplyTemplate(frame_id, state, state.parameters, effective->get());
    if (!built) {
      HandleStateError(frame_id, std::move(built.error()));
      return;
    }
    result = std::move(*built);
  }
  if (state.has_result) {
    result = state.result;
  } else if (!state.parameters.present) {
    // The effective input is the result: take it when the ResultPath does not read the input
    // and nothing else can.
    bool input_needed = (state.result_path.present && !state.result_path.compiled->replaces()) ||
                        !TakeInputBudget(frame_id, state, state.assign.present);
    result = input_needed ? json::Json(effective->get()) : TakeSelected(frame_id, *effective);
  }
  json::Json assigned;
  Expected output =
      FinishDataFlow(frame_id, state, std::move(result), /*apply_selector=*/false, &assigned);
  if (!output) {
    HandleStateError(frame_id, std::move(output.error()));
    return;
  }
  ExitState(frame_id, state, std::move(*output), state.next, false, std::move(assigned));
}

void Executor::RunChoice(int32_t frame_id, const asl::State& state) {
  if (state.jsonata) {
    RunChoiceJsonata(frame_id, state);
    return;
  }
  auto effective = SelectInput(frame_id, state);
  if (!effective) {
    HandleStateError(frame_id, std::move(effective.error()));
    return;
  }
  query::EvalContext ctx = MakeContext(frame_id, state, &effective->get());
  asl::StateIndex next = asl::kNoState;
  const asl::AssignField* assign = &state.assign;
  for (const asl::ChoiceBranch& branch : state.choices) {
    auto matched = branch.rule->Evaluate(ctx);
    if (!matched) {
      HandleStateError(frame_id, RuntimeError(frame_id, state, std::move(matched.error())));
      return;
    }
    if (*matched) {
      next = branch.next;
      if (branch.assign.present) assign = &branch.assign;
      break;
    }
  }
  if (next == asl::kNoState) {
    next = state.default_next;
  }
  if (next == asl::kNoState) {
    HandleStateError(frame_id,
                     RuntimeError(frame_id, state,
                                  {"States.NoChoiceMatched",
                                   "No Matches! [" + json::Dump(effective->get()) + "]"}));
    return;
  }
  StatesView unused;
  Expected assigned = EvalAssign(frame_id, state, *assign, &effective->get(), unused);
  if (!assigned) {
    HandleStateError(frame_id, std::move(assigned.error()));
    return;
  }
  if (!state.output_path.present) {
    json::Json output = TakeInputBudget(frame_id, state, assign->present)
                            ? TakeSelected(frame_id, *effective)
                            : json::Json(effective->get());
    ExitState(frame_id, state, std::move(output), next, false, std::move(*assigned));
    return;
  }
  Expected output = ApplyOutputPath(frame_id, state, effective->get());
  if (!output) {
    HandleStateError(frame_id, std::move(output.error()));
    return;
  }
  ExitState(frame_id, state, std::move(*output), next, false, std::move(*assigned));
}

void Executor::RunWait(int32_t frame_id, const asl::State& state) {
  const json::Json& input = frame(frame_id).input;
  Expected effective = ApplyInputPath(frame_id, state, input);
  if (!effective) {
    HandleStateError(frame_id, std::move(effective.error()));
    return;
  }
  base::Timestamp fire_at = now_;
  const asl::WaitSpec& wait = state.wait;
  if (wait.expr.present) {
    StatesView view;
    view.input = &frame(frame_id).input;
    if (wait.kind == asl::WaitKind::kSeconds) {
      auto seconds = EvalJsonataInteger(frame_id, state, wait.expr, "Seconds", view);
      if (!seconds) {
        HandleStateError(frame_id, std::move(seconds.error()));
        return;
      }
      if (*seconds < 0) {
        HandleStateError(frame_id, RuntimeError(frame_id, state,
                                                {"States.QueryEvaluationError",
                                                 "The Seconds field references a negative value: " +
                                                     std::to_string(*seconds),
                                                 "Seconds"}));
        return;
      }
      fire_at = base::AddSeconds(frame(frame_id).entered_time, static_cast<double>(*seconds));
    } else {
      Expected value = EvalJsonata(frame_id, state, *wait.expr.compiled, "Timestamp", view);
      if (!value) {
        HandleStateError(frame_id, std::move(value.error()));
        return;
      }
      std::optional<base::Timestamp> timestamp;
      if (value->is_string()) {
        timestamp = base::ParseIso8601(value->get_ref<const std::string&>());
      }
      if (!timestamp) {
        HandleStateError(
            frame_id,
            RuntimeError(frame_id, state,
                         {"States.QueryEvaluationError",
                          "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                          "date-time format string: " +
                              (value->is_string() ? value->get<std::string>() : json::Dump(*value)),
                          "Timestamp"}));
        return;
      }
      fire_at = *timestamp;
    }
  } else {
    switch (wait.kind) {
      case asl::WaitKind::kSeconds:
        fire_at = base::AddSeconds(frame(frame_id).entered_time, static_cast<double>(wait.seconds));
        break;
      case asl::WaitKind::kTimestamp:
        fire_at = wait.timestamp;
        break;
      case asl::WaitKind::kSecondsPath:
      case asl::WaitKind::kTimestampPath: {
        query::EvalContext ctx = MakeContext(frame_id, state, &*effective);
        auto selected = wait.path.path->Select(ctx);
        if (!selected) {
          HandleStateError(frame_id, RuntimeError(frame_id, state, std::move(selected.error())));
          return;
        }
        const json::Json& value = *selected;
        std::string shown = value.is_string() ? value.get<std::string>() : json::Dump(value);
        if (wait.kind == asl::WaitKind::kSecondsPath) {
          // A Java long: an integer within 64 bits, or a float with an integral value in range.
          bool integral =
              (value.is_number_integer() &&
               !(value.is_number_unsigned() &&
                 value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) ||
              (value.is_number_float() && value.get<double>() == std::floor(value.get<double>()) &&
               std::fabs(value.get<double>()) < 9.2e18);
          if (!integral) {
            HandleStateError(
                frame_id,
                RuntimeError(frame_id, state,
                             {"States.Runtime",
                              "The SecondsPath parameter cannot be parsed as a long value: " +
                                  wait.path.text + " == " + shown}));
            return;
          }
          auto seconds = value.is_number_float() ? static_cast<int64_t>(value.get<double>())
                                                 : value.get<int64_t>();
          if (seconds < 0) {
            HandleStateError(
                frame_id, RuntimeError(frame_id, state,
                                       {"States.Runtime",
                                        "The SecondsPath parameter references a negative value: " +
                                            wait.path.text + " == " + shown}));
            return;
          }
          fire_at = base::AddSeconds(frame(frame_id).entered_time, static_cast<double>(seconds));
        } else {
          std::optional<base::Timestamp> timestamp;
          if (value.is_string()) {
            timestamp = base::ParseIso8601(value.get_ref<const std::string&>());
          }
          if (!timestamp) {
            HandleStateError(
                frame_id,
                RuntimeError(frame_id, state,
                             {"States.Runtime",
                              "The TimestampPath parameter does not reference a valid ISO-8601 "
                              "extended offset date-time format string: " +
                                  wait.path.text + " == " + shown}));
            return;
          }
          fire_at = *timestamp;
        }
        break;
      }
    }
  }
  frame(frame_id).effective_input = std::move(*effective);
  fire_at = ScaledWaitEnd(fire_at);
  if (fire_at <= now_) {
    FinishWait(frame_id);
    return;
  }
  model::Frame& current = frame(frame_id);
  current.phase = model::FramePhase::kWaitTimer;
  current.stamp = NewStamp(frame_id);
  outcome_.timers.push_back({fire_at, current.stamp});
}

base::Timestamp Executor::ScaledWaitEnd(base::Timestamp fire_at) const {
  if (options_.wait_time_scale == 1.0 || fire_at <= now_) {
    return fire_at;
  }
  const double seconds = static_cast<double>((fire_at - now_).count()) / 1000.0;
  return base::AddSeconds(now_, seconds * std::max(options_.wait_time_scale, 0.0));
}

void Executor::FinishWait(int32_t frame_id) {
  const asl::State& state = StateOf(frame_id);
  json::Json effective = std::move(frame(frame_id).effective_input);
  frame(frame_id).effective_input = nullptr;
  frame(frame_id).phase = model::FramePhase::kEnter;
  if (state.jsonata) {
    StatesView view;
    view.input = &frame(frame_id).input;
    FinishJsonata(frame_id, state, view, frame(frame_id).input, state.next);
    return;
  }
  StatesView unused;
  Expected assigned = EvalAssign(frame_id, state, state.assign, &effective, unused);
  if (!assigned) {
    HandleStateError(frame_id, std::move(assigned.error()));
    return;
  }
  Expected output = ApplyOutputPath(frame_id, state, effective);
  if (!output) {
    HandleStateError(frame_id, std::move(output.error()));
    return;
  }
  ExitState(frame_id, state, std::move(*output), state.next, false, std::move(*assigned));
}

void Executor::RunSucceed(int32_t frame_id, const asl::State& state) {
  if (state.jsonata) {
    StatesView view;
    view.input = &frame(frame_id).input;
    FinishJsonata(frame_id, state, view, frame(frame_id).input, asl::kNoState);
    return;
  }
  auto effective = SelectInput(frame_id, state);
  if (!effective) {
    HandleStateError(frame_id, std::move(effective.error()));
    return;
  }
  if (!state.output_path.present) {
    ExitState(frame_id, state, TakeSelected(frame_id, *effective), asl::kNoState);
    return;
  }
  Expected output = ApplyOutputPath(frame_id, state, effective->get());
  if (!output) {
    HandleStateError(frame_id, std::move(output.error()));
    return;
  }
  ExitState(frame_id, state, std::move(*output), asl::kNoState);
}

void Executor::RunFail(int32_t frame_id, const asl::State& state) {
  if (state.jsonata) {
    RunFailJsonata(frame_id, state);
    return;
  }
  const asl::FailSpec& fail = state.fail;
  const json::Json& input = frame(frame_id).input;
  base::AslError error;
  auto evaluate = [&](const asl::ExpressionField& field, std::string_view field_name,
                      std::string& out) -> bool {
    query::EvalContext ctx = MakeContext(frame_id, state, &input);
    auto value = field.compiled->Evaluate(ctx, field_name);
    if (!value) {
      HandleStateError(frame_id, RuntimeError(frame_id, state, std::move(value.error())));
      return false;
    }
    out = value->is_string() ? value->get<std::string>() : json::Dump(*value);
    return true;
  };
  if (fail.error) {
    error.error = *fail.error;
  } else if (fail.error_path.present && !evaluate(fail.error_path, "ErrorPath", error.error)) {
    return;
  }
  if (fail.cause) {
    error.cause = *fail.cause;
  } else if (fail.cause_path.present && !evaluate(fail.cause_path, "CausePath", error.cause)) {
    return;
  }
  FailScope(frame_id, std::move(error));
}

}  // namespace flowstate::engine

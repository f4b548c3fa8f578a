// JSONPath-mode data flow (AWS-REFERENCE.md §6.3): InputPath -> Parameters -> (work) ->
// ResultSelector -> ResultPath -> OutputPath, plus the 256 KiB payload limit.
#include <utility>

#include "engine/executor.h"
#include "json/json.h"
#include "query/json_path.h"
#include "query/payload_template.h"
#include "query/result_path.h"

namespace flowstate::engine {

query::EvalContext Executor::MakeContext(int32_t frame_id, const asl::State& state,
                                         const json::Json* input) {
  query::EvalContext ctx;
  ctx.input = input;
  ctx.context = ContextFor(frame_id, state);
  ctx.variables = VisibleVariables(frame_id);
  ctx.rng = &rng_;
  return ctx;
}

base::AslError Executor::RuntimeError(int32_t frame_id, const asl::State& state,
                                      base::AslError error) const {
  std::string cause =
      "An error occurred while executing the state '" + state.name +
      "' (entered at the event id #" +
      std::to_string(snapshot_.frames[static_cast<size_t>(frame_id)].entered_event_id) + "). ";
  cause += error.cause;
  return {std::move(error.error), std::move(cause), std::move(error.evaluation_location)};
}

size_t Executor::MeasurePayload(const json::Json& payload, std::string& text) const {
  if (options_.record_history) {
    text.clear();
    text.reserve(256);  // most payloads are small: one allocation instead of several regrowths
    return json::AppendQuotedCompactText(payload, text);
  }
  return json::CompactTextSize(payload);
}

base::AslError Executor::DataLimitError(std::string_view who) const {
  return {"States.DataLimitExceeded",
          "The state/task '" + std::string(who) +
              "' returned a result with a size exceeding the maximum number of bytes service "
              "limit."};
}

Expected Executor::ApplyInputPath(int32_t frame_id, const asl::State& state,
                                  const json::Json& input) {
  const asl::PathField& field = state.input_path;
  if (!field.present || (field.path == nullptr && !field.is_null)) {
    return input;
  }
  if (field.is_null) {
    return json::Json::object();
  }
  query::EvalContext ctx = MakeContext(frame_id, state, &input);
  auto selected = field.path->Select(ctx);
  if (!selected) {
    return tl::unexpected(RuntimeError(frame_id, state, std::move(selected.error())));
  }
  return std::move(*selected);
}

tl::expected<Selected, base::AslError> Executor::SelectInput(int32_t frame_id,
                                                             const asl::State& state) {
  Selected selected;
  const json::Json& input = frame(frame_id).input;
  if (!state.input_path.present) {
    selected.borrowed = &input;
    return selected;
  }
  Expected value = ApplyInputPath(frame_id, state, input);
  if (!value) {
    return tl::unexpected(std::move(value.error()));
  }
  selected.owned = std::move(*value);
  return selected;
}

json::Json Executor::TakeSelected(int32_t frame_id, Selected& selected) {
  if (selected.borrowed != nullptr) {
    selected.borrowed = nullptr;
    return std::move(frame(frame_id).input);
  }
  return std::move(selected.owned);
}

Expected Executor::ApplyTemplate(int32_t frame_id, const asl::State& state,
                                 const asl::TemplateField& field, const json::Json& input) {
  query::EvalContext ctx = MakeContext(frame_id, state, &input);
  auto value = field.compiled->Evaluate(ctx);
  if (!value) {
    return tl::unexpected(RuntimeError(frame_id, state, std::move(value.error())));
  }
  return std::move(*value);
}

Expected Executor::ApplyResultPath(int32_t frame_id, const asl::State& state,
                                   const asl::ResultPathField& field, const json::Json& input,
                                   json::Json result) {
  if (!field.present || field.compiled->replaces()) {
    return result;
  }
  if (field.compiled->discards()) {
    return input;
  }
  auto merged = field.compiled->Apply(input, std::move(result));
  if (!merged) {
    return tl::unexpected(RuntimeError(frame_id, state, std::move(merged.error())));
  }
  return std::move(*merged);
}

Expected Executor::ApplyOutputPath(int32_t frame_id, const asl::State& state,
                                   const json::Json& value) {
  const asl::PathField& field = state.output_path;
  if (!field.present) {
    return value;
  }
  if (field.is_null) {
    return json::Json::object();
  }
  query::EvalContext ctx = MakeContext(frame_id, state, &value);
  auto selected = field.path->Select(ctx);
  if (!selected) {
    return tl::unexpected(RuntimeError(frame_id, state, std::move(selected.error())));
  }
  return std::move(*selected);
}

Expected Executor::FinishDataFlow(int32_t frame_id, const asl::State& state, json::Json&& result,
                                  bool apply_selector, json::Json* assigned) {
  if (apply_selector && state.result_selector.present) {
    auto selected = ApplyTemplate(frame_id, state, state.result_selector, result);
    if (!selected) {
      return selected;
    }
    result = std::move(*selected);
  }
  if (assigned != nullptr && state.assign.present) {
    // Assign reads the (selected) result as `$`, before ResultPath merges it.
    StatesView unused;
    Expected values = EvalAssign(frame_id, state, state.assign, &result, unused);
    if (!values) {
      return values;
    }
    *assigned = std::move(*values);
  }
  Expected merged;
  const asl::ResultPathField& result_path = state.result_path;
  const query::ResultPath* writes =
      result_path.present && !result_path.compiled->replaces() && !result_path.compiled->discards()
          ? &*result_path.compiled
          : nullptr;
  std::optional<size_t> budget;
  if (writes != nullptr) budget = TakeInputBudget(frame_id, state, state.assign.present);
  if (budget && writes->AppliesTo(frame(frame_id).input) &&
      (*budget == SIZE_MAX || writes->MaxGrowth(result) <= *budget)) {
    // Nothing can need the state input after this, and writing the result cannot fail: merge
    // into the input in place instead of copying it.
    auto applied = writes->Apply(std::move(frame(frame_id).input), std::move(result));
    if (!applied) {
      return tl::unexpected(RuntimeError(frame_id, state, std::move(applied.error())));
    }
    merged = std::move(*applied);
  } else {
    merged =
        ApplyResultPath(frame_id, state, result_path, frame(frame_id).input, std::move(result));
  }
  if (!merged) {
    return merged;
  }
  if (!state.output_path.present) {
    return merged;
  }
  return ApplyOutputPath(frame_id, state, *merged);
}

}  // namespace flowstate::engine

// JSONata-mode data flow (AWS-REFERENCE.md §6.4): Arguments, Output, Assign and the fields that
// take an expression, evaluated against `$states` {input, result, errorOutput, context} and
// the variables' entry values. Failures are States.QueryEvaluationError with AWS's causes.
#include <cmath>
#include <utility>

#include "engine/executor.h"
#include "json/json.h"
#include "query/jsonata_functions.h"
#include "query/jsonata_template.h"
#include "query/payload_template.h"

namespace flowstate::engine {
namespace {

namespace jsonata = query::jsonata;

// Frames whose converted input is remembered at once; past this the memo starts over (a Map
// of many items runs its iterations interleaved, one state each in turn).
constexpr size_t kMaxRememberedInputs = 4096;

jsonata::Value BuildStates(const StatesView& view, const json::Json* context,
                           jsonata::Value input) {
  auto object = std::make_shared<jsonata::ObjectData>();
  object->Reserve(4);
  if (view.input != nullptr) object->Append("input", std::move(input));
  if (view.result != nullptr) object->Append("result", jsonata::FromJson(*view.result));
  if (view.error_output != nullptr) {
    object->Append("errorOutput", jsonata::FromJson(*view.error_output));
  }
  if (context != nullptr) object->Append("context", jsonata::FromJson(*context));
  return jsonata::Value::FromObject(std::move(object));
}

}  // namespace

jsonata::Value Executor::JsonataInput(int32_t frame_id, const json::Json& input) {
  auto it = jsonata_inputs_.find(frame_id);
  if (it != jsonata_inputs_.end() && jsonata::SameAsJson(it->second, input)) return it->second;
  jsonata::Value converted = jsonata::FromJson(input);
  RememberJsonataInput(frame_id, converted);
  return converted;
}

jsonata::Value Executor::StatesOfInput(jsonata::Value input) {
  if (states_of_input_.IsObject() && states_of_input_.heap().use_count() == 1) {
    states_of_input_.MutableObject().Set("input", std::move(input));
  } else {
    auto object = std::make_shared<jsonata::ObjectData>();
    object->Append("input", std::move(input));
    states_of_input_ = jsonata::Value::FromObject(std::move(object));
  }
  return states_of_input_;
}

void Executor::RememberJsonataInput(int32_t frame_id, jsonata::Value value) {
  if (jsonata_inputs_.size() >= kMaxRememberedInputs &&
      jsonata_inputs_.find(frame_id) == jsonata_inputs_.end()) {
    jsonata_inputs_.clear();
  }
  jsonata_inputs_[frame_id] = std::move(value);
}

// `$states` for one field's evaluation: the view's documents, and the view's evaluator value,
// built (and kept in the view for the state's other fields) only when an expression needs it.
class Executor::StatesOfView final : public query::JsonataStates {
 public:
  StatesOfView(Executor& executor, int32_t frame_id, const asl::State& state, StatesView& view,
               bool need_context)
      : executor_(executor),
        frame_id_(frame_id),
        state_(state),
        view_(view),
        need_context_(need_context) {
    input = view.input;
    result = view.result;
    error_output = view.error_output;
    consumable_input = view.consumable_input;
    take_budget = view.take_budget;
  }

  const jsonata::Value& AsValue() override {
    if (!view_.value || (need_context_ && !view_.value_has_context)) {
      jsonata::Value converted;
      if (view_.input != nullptr) converted = executor_.JsonataInput(frame_id_, *view_.input);
      if (need_context_ && view_.context == nullptr) {
        json::Json built = executor_.BuildContext(frame_id_, state_);
        view_.value = BuildStates(view_, &built, std::move(converted));
      } else if (!need_context_ && view_.input != nullptr && view_.result == nullptr &&
                 view_.error_output == nullptr) {
        view_.value = executor_.StatesOfInput(std::move(converted));
      } else {
        view_.value =
            BuildStates(view_, need_context_ ? view_.context : nullptr, std::move(converted));
      }
      view_.value_has_context = need_context_;
    }
    return *view_.value;
  }

 private:
  Executor& executor_;
  int32_t frame_id_;
  const asl::State& state_;
  StatesView& view_;
  bool need_context_;
};

Expected Executor::EvalJsonata(int32_t frame_id, const asl::State& state,
                               const query::JsonataTemplate& field, std::string_view name,
                               StatesView& view, std::string_view prefix,
                               jsonata::Value* value_out) {
  StatesOfView states(*this, frame_id, state, view, field.may_read_context());
  query::JsonataScope scope;
  if (field.reads_states()) scope.states = &states;
  if (!field.IsConstant()) {
    scope.variables = VisibleVariables(frame_id);
    scope.functions = &query::StepFunctionsFunctions();
    scope.rng = &rng_;
  }
  // One Expected, returned as is: the document is never moved between layers.
  Expected value = field.Evaluate(scope, name, prefix, value_out);
  if (!value) value = tl::unexpected(RuntimeError(frame_id, state, std::move(value.error())));
  return value;
}

Expected Executor::EvalAssign(int32_t frame_id, const asl::State& state,
                              const asl::AssignField& assign, const json::Json* jsonpath_input,
                              StatesView& view, std::string_view prefix) {
  if (!assign.present) {
    return json::Json();
  }
  if (assign.jsonata != nullptr) {
    return EvalJsonata(frame_id, state, *assign.jsonata, "Assign", view, prefix);
  }
  query::EvalContext ctx = MakeContext(frame_id, state, jsonpath_input);
  auto value = assign.jsonpath->Evaluate(ctx);
  if (!value) {
    return tl::unexpected(RuntimeError(frame_id, state, std::move(value.error())));
  }
  return std::move(*value);
}

void Executor::FinishJsonata(int32_t frame_id, const asl::State& state, StatesView& view,
                             const json::Json& fallback, asl::StateIndex next) {
  Expected assigned = EvalAssign(frame_id, state, state.assign, nullptr, view);
  if (!assigned) {
    HandleStateError(frame_id, std::move(assigned.error()));
    return;
  }
  if (!state.output.present) {
    ExitState(frame_id, state, json::Json(fallback), next, /*from_catch=*/false,
              std::move(*assigned));
    return;
  }
  // The Output is the input's last reader, unless the state may still fail after it.
  if (view.input == &frame(frame_id).input) {
    if (std::optional<size_t> budget = TakeInputBudget(frame_id, state, state.assign.present)) {
      view.consumable_input = &frame(frame_id).input;
      view.take_budget = *budget;
    }
  }
  jsonata::Value output_value;
  Expected output =
      EvalJsonata(frame_id, state, *state.output.compiled, "Output", view, {}, &output_value);
  if (!output) {
    HandleStateError(frame_id, std::move(output.error()));
    return;
  }
  // Usually the next state's input: it need not be converted again.
  if (output_value.IsDefined()) RememberJsonataInput(frame_id, std::move(output_value));
  ExitState(frame_id, state, std::move(*output), next, /*from_catch=*/false, std::move(*assigned));
}

Expected Executor::JsonataArguments(int32_t frame_id, const asl::State& state) {
  if (!state.arguments.present) {
    return frame(frame_id).input;
  }
  StatesView view;
  view.input = &frame(frame_id).input;
  return EvalJsonata(frame_id, state, *state.arguments.compiled, "Arguments", view);
}

tl::expected<int64_t, base::AslError> Executor::EvalJsonataInteger(int32_t frame_id,
                                                                   const asl::State& state,
                                                                   const asl::JsonataField& field,
                                                                   std::string_view name,
                                                                   StatesView& view) {
  Expected value = EvalJsonata(frame_id, state, *field.compiled, name, view);
  if (!value) {
    return tl::unexpected(std::move(value.error()));
  }
  bool integral = value->is_number_integer() ||
                  (value->is_number_float() && std::isfinite(value->get<double>()) &&
                   value->get<double>() == std::floor(value->get<double>()) &&
                   std::fabs(value->get<double>()) < 9.2e18);
  if (!integral) {
    return tl::unexpected(RuntimeError(
        frame_id, state,
        query::JsonataTypeError(field.compiled->single_text(), name, "integer", *value)));
  }
  return value->is_number_float() ? static_cast<int64_t>(value->get<double>())
                                  : value->get<int64_t>();
}

void Executor::RunChoiceJsonata(int32_t frame_id, const asl::State& state) {
  StatesView view;
  view.input = &frame(frame_id).input;
  const asl::ChoiceBranch* matched = nullptr;
  for (const asl::ChoiceBranch& branch : state.choices) {
    Expected condition = EvalJsonata(frame_id, state, *branch.condition.compiled, "Condition", view,
                                     branch.field_prefix);
    if (!condition) {
      HandleStateError(frame_id, std::move(condition.error()));
      return;
    }
    if (!condition->is_boolean()) {
      HandleStateError(
          frame_id, RuntimeError(frame_id, state,
                                 query::JsonataTypeError(branch.condition.compiled->single_text(),
                                                         branch.field_prefix + "Condition",
                                                         "boolean", *condition)));
      return;
    }
    if (condition->get<bool>()) {
      matched = &branch;
      break;
    }
  }
  asl::StateIndex next = matched != nullptr ? matched->next : state.default_next;
  if (next == asl::kNoState) {
    HandleStateError(frame_id,
                     RuntimeError(frame_id, state,
                                  {"States.NoChoiceMatched",
                                   "No Matches! [" + json::Dump(frame(frame_id).input) + "]"}));
    return;
  }
  const bool rule_assign = matched != nullptr && matched->assign.present;
  const bool rule_output = matched != nullptr && matched->output.present;
  const asl::AssignField& assign = rule_assign ? matched->assign : state.assign;
  const asl::JsonataField& output = rule_output ? matched->output : state.output;
  Expected assigned =
      EvalAssign(frame_id, state, assign, nullptr, view,
                 rule_assign ? std::string_view(matched->field_prefix) : std::string_view());
  if (!assigned) {
    HandleStateError(frame_id, std::move(assigned.error()));
    return;
  }
  json::Json result;
  if (output.present) {
    Expected evaluated =
        EvalJsonata(frame_id, state, *output.compiled, "Output", view,
                    rule_output ? std::string_view(matched->field_prefix) : std::string_view());
    if (!evaluated) {
      HandleStateError(frame_id, std::move(evaluated.error()));
      return;
    }
    result = std::move(*evaluated);
  } else {
    result = frame(frame_id).input;
  }
  ExitState(frame_id, state, std::move(result), next, /*from_catch=*/false, std::move(*assigned));
}

void Executor::RunFailJsonata(int32_t frame_id, const asl::State& state) {
  StatesView view;
  view.input = &frame(frame_id).input;
  base::AslError error;
  for (auto [field, out, name] : {std::tuple{&state.fail.error_expr, &error.error, "Error"},
                                  std::tuple{&state.fail.cause_expr, &error.cause, "Cause"}}) {
    if (!field->present) continue;
    Expected value = EvalJsonata(frame_id, state, *field->compiled, name, view);
    if (!value) {
      HandleStateError(frame_id, std::move(value.error()));
      return;
    }
    if (!value->is_string()) {
      HandleStateError(frame_id,
                       RuntimeError(frame_id, state,
                                    query::JsonataTypeError(field->compiled->single_text(), name,
                                                            "string", *value)));
      return;
    }
    *out = value->get<std::string>();
  }
  FailScope(frame_id, std::move(error));
}

}  // namespace flowstate::engine

// The data-flow replay of one recorded visit (replay.h). It runs the Executor's own data-flow
// methods on a one-frame snapshot rebuilt from history: the frame holds the state's input, its
// entry time and retry count (for `$$`) and the variables visible at its entry.
#include "engine/replay.h"

#include <utility>

#include "engine/executor.h"
#include "query/json_path.h"
#include "query/jsonata_template.h"

namespace flowstate::engine {

class StageReplayer {
 public:
  StageReplayer(const asl::StateMachineModel& model, const RecordedVisit& visit)
      : state_(model.state(visit.scope, visit.state)),
        visit_(visit),
        rng_(0),
        executor_(model, BuildSnapshot(visit), visit.entered_time, rng_, options_, outcome_) {}

  std::vector<ReplayedStage> Run() {
    Recorded("Input", visit_.input);
    if (visit_.variables) {
      Recorded("Variables", *visit_.variables);
    } else {
      Note("Variables", "not available: history does not show which variables it could read");
      Distrust();
    }
    if (state_.jsonata) {
      ReplayJsonata();
    } else {
      ReplayJsonPath();
    }
    if (visit_.caught) ReplayCatch();
    if (visit_.output) {
      Recorded(visit_.caught ? "Output (Catch)" : "Output", *visit_.output);
    }
    if (!trusted_) {
      for (ReplayedStage& stage : stages_) {
        if (stage.recorded || !stage.value) continue;
        stage.value.reset();
        stage.note = distrust_note_;
      }
    }
    return std::move(stages_);
  }

 private:
  static constexpr int32_t kFrame = 0;
  static inline const std::optional<json::Json> kNone;
  static constexpr const char* kMismatch =
      "not available: replaying this visit does not reproduce what history recorded (the state "
      "reads something history does not keep, such as $$.Task.Token or a random value)";

  model::ExecutionSnapshot& BuildSnapshot(const RecordedVisit& visit) {
    snapshot_.info = visit.info;
    snapshot_.execution_input = visit.execution_input;
    model::Frame& frame = snapshot_.frames.emplace_back();
    frame.scope = visit.scope;
    frame.state = visit.state;
    frame.input = visit.input;
    frame.entered_event_id = visit.entered_event_id;
    frame.entered_time = visit.entered_time;
    frame.retry_count = visit.retry_count;
    if (visit.variables) frame.variables = *visit.variables;
    return snapshot_;
  }

  const json::Json& input() { return executor_.frame(kFrame).input; }

  void Recorded(std::string name, json::Json value) {
    stages_.push_back({std::move(name), std::move(value), "", /*recorded=*/true});
  }
  void Note(std::string name, std::string note) {
    stages_.push_back({std::move(name), std::nullopt, std::move(note), false});
  }
  void Distrust(std::string note = "") {
    trusted_ = false;
    if (distrust_note_.empty() || !note.empty()) {
      distrust_note_ = note.empty() ? "not available: the variables at this state's entry are "
                                      "unknown, so a replay could differ from what ran"
                                    : std::move(note);
    }
  }

  // A replayed stage. With `recorded`, history's value is shown and the replay only checked
  // against it; an error where the visit went on means the replay does not match what ran.
  bool Replayed(std::string name, const Expected& value,
                const std::optional<json::Json>& recorded = std::nullopt) {
    if (recorded) {
      if (!value || *value != *recorded) Distrust(kMismatch);
      Recorded(std::move(name), *recorded);
      return true;
    }
    if (value) {
      stages_.push_back({std::move(name), *value, "", false});
      return true;
    }
    raised_ = value.error();
    if (visit_.output && !visit_.caught) {
      Distrust(
          "not available: replaying this visit fails where the execution went on (the state "
          "reads something history does not keep, such as $$.Task.Token)");
    }
    Note(std::move(name), value.error().error + ": " + value.error().cause);
    return false;
  }

  bool IsTaskLike() const {
    return state_.type == asl::StateType::kTask || state_.type == asl::StateType::kParallel ||
           state_.type == asl::StateType::kMap;
  }

  // No result: the state failed (caught or not) or has not finished.
  void NoResult() {
    Note("Result", visit_.caught ? "none: the state failed and a Catcher handled the error"
                                 : "none recorded (the state failed or has not finished)");
  }

  // A caught error: the error output {Error, Cause}, then the first Catcher that matches it
  // applies its Assign and ResultPath (JSONata: Output) with the engine's code.
  void ReplayCatch() {
    std::optional<base::AslError> error = visit_.failure;
    bool recorded = true;
    if (!error && raised_) {
      error = raised_;  // the state's own data flow raised it (replayed above)
      recorded = false;
    }
    if (!error) {
      Note("Error output", "not available: history does not record the error that was caught");
      if (visit_.assigned) Recorded("Assign (Catch)", *visit_.assigned);
      return;
    }
    json::Json error_output = {{"Error", error->error}, {"Cause", error->cause}};
    stages_.push_back({"Error output", error_output, "", recorded});
    const asl::Catcher* catcher = nullptr;
    for (const asl::Catcher& candidate : state_.catchers) {
      if (Executor::ErrorMatches(candidate.error_equals, error->error)) {
        catcher = &candidate;
        break;
      }
    }
    if (catcher == nullptr) {
      Distrust(kMismatch);  // it was caught, so some Catcher matched what really failed
      return;
    }
    StatesView view;
    view.input = &input();
    view.error_output = &error_output;
    if (catcher->assign.present) {
      Expected assigned = executor_.EvalAssign(kFrame, state_, catcher->assign, &error_output, view,
                                               catcher->field_prefix);
      if (!Replayed("Assign (Catch)", assigned, visit_.assigned)) return;
    }
    if (state_.jsonata) {
      Expected output = catcher->output.present
                            ? executor_.EvalJsonata(kFrame, state_, *catcher->output.compiled,
                                                    "Output", view, catcher->field_prefix)
                            : Expected(error_output);
      if (visit_.output && (!output || *output != *visit_.output)) Distrust(kMismatch);
      return;
    }
    Replayed("ResultPath (Catch)",
             executor_.ApplyResultPath(kFrame, state_, catcher->result_path, input(), error_output),
             visit_.output);
  }

  void ReplayJsonPath() {
    if (state_.type == asl::StateType::kFail) return;
    Expected effective = executor_.ApplyInputPath(kFrame, state_, input());
    if (!Replayed("InputPath", effective)) return;
    if (!IsTaskLike() && state_.type != asl::StateType::kPass) {
      // Choice, Wait, Succeed: the effective input goes on through OutputPath.
      if (state_.type == asl::StateType::kChoice && visit_.assigned) {
        Recorded("Assign", *visit_.assigned);
      }
      Replayed("OutputPath", executor_.ApplyOutputPath(kFrame, state_, *effective),
               visit_.caught ? kNone : visit_.output);
      return;
    }
    std::optional<json::Json> result;
    if (state_.type == asl::StateType::kMap) {
      if (!ReplayItems(*effective)) return;
      result = visit_.result;
    } else {
      const char* name = "Parameters";
      if (state_.type == asl::StateType::kTask && visit_.task_input) {
        Recorded(name, *visit_.task_input);  // what the task was sent, as history shows it
      } else {
        Expected parameters =
            state_.parameters.present
                ? executor_.ApplyTemplate(kFrame, state_, state_.parameters, *effective)
                : effective;
        if (!Replayed(name, parameters)) return;
        if (state_.type == asl::StateType::kPass) {
          result = state_.has_result ? state_.result : *parameters;
        }
      }
      if (state_.type != asl::StateType::kPass) result = visit_.result;
    }
    if (!result) {
      NoResult();
      return;
    }
    if (state_.type == asl::StateType::kPass) {
      stages_.push_back({"Result", *result, "", false});
    } else {
      Recorded("Result", *result);
    }
    Expected selected = *result;
    if (IsTaskLike()) {
      if (state_.result_selector.present) {
        selected = executor_.ApplyTemplate(kFrame, state_, state_.result_selector, *result);
      }
      if (!Replayed("ResultSelector", selected)) return;
    }
    if (state_.assign.present) {
      StatesView unused;
      Expected assigned = executor_.EvalAssign(kFrame, state_, state_.assign, &*selected, unused);
      if (!Replayed("Assign", assigned, visit_.caught ? kNone : visit_.assigned)) return;
    }
    Expected merged =
        executor_.ApplyResultPath(kFrame, state_, state_.result_path, input(), *selected);
    if (!Replayed("ResultPath", merged)) return;
    Replayed("OutputPath", executor_.ApplyOutputPath(kFrame, state_, *merged),
             visit_.caught ? kNone : visit_.output);
  }

  // A JSONPath Map: ItemsPath on the effective input; ItemSelector runs once per item.
  bool ReplayItems(const json::Json& effective) {
    const asl::PathField& items_path = state_.map.items_path;
    Expected items = effective;
    if (items_path.present && items_path.path != nullptr) {
      query::EvalContext ctx = executor_.MakeContext(kFrame, state_, &effective);
      auto selected = items_path.path->Select(ctx);
      items = selected ? Expected(std::move(*selected))
                       : tl::unexpected(executor_.RuntimeError(kFrame, state_, selected.error()));
    }
    if (!Replayed("ItemsPath", items)) return false;
    if (state_.map.item_selector.present) ItemSelector();
    return true;
  }

  // ItemSelector runs once per item: its values are the iterations' inputs, which history
  // records.
  void ItemSelector() {
    if (visit_.item_inputs) {
      Recorded("ItemSelector", *visit_.item_inputs);
    } else {
      Note("ItemSelector",
           "not available: not every iteration is in this history; each iteration's first "
           "state shows the value ItemSelector made for its item");
    }
  }

  void ReplayJsonata() {
    if (state_.type == asl::StateType::kFail) return;
    StatesView before;
    before.input = &input();
    if (state_.type == asl::StateType::kTask && visit_.task_input) {
      Recorded("Arguments", *visit_.task_input);
    } else if (state_.type == asl::StateType::kTask || state_.type == asl::StateType::kParallel) {
      if (!Replayed("Arguments", executor_.JsonataArguments(kFrame, state_))) return;
    } else if (state_.type == asl::StateType::kMap) {
      const asl::MapSpec& map = state_.map;
      Expected items = map.items.present ? executor_.EvalJsonata(
                                               kFrame, state_, *map.items.compiled, "Items", before)
                                         : Expected(input());
      if (!Replayed("Items", items)) return;
      if (map.item_selector_jsonata.present) ItemSelector();
    }
    std::optional<json::Json> result;
    if (IsTaskLike()) {
      result = visit_.result;
      if (!result) {
        NoResult();
        return;
      }
      Recorded("Result", *result);
    }
    bool rule_fields = false;  // a Choice rule's own Output/Assign: which rule matched is not kept
    for (const asl::ChoiceBranch& branch : state_.choices) {
      rule_fields = rule_fields || branch.output.present || branch.assign.present;
    }
    StatesView view;
    view.input = &input();
    if (result) view.result = &*result;
    if (rule_fields) {
      if (visit_.assigned) Recorded("Assign", *visit_.assigned);
      return;
    }
    const std::optional<json::Json>& exited = visit_.caught ? kNone : visit_.output;
    if (state_.assign.present) {
      Expected assigned = executor_.EvalAssign(kFrame, state_, state_.assign, nullptr, view);
      if (!Replayed("Assign", assigned, visit_.caught ? kNone : visit_.assigned)) return;
    }
    // Output: history's own value closes the list (Run); the replay is checked against it.
    Expected output =
        state_.output.present
            ? executor_.EvalJsonata(kFrame, state_, *state_.output.compiled, "Output", view)
            : Expected(result ? *result : input());
    if (exited) {
      if (!output || *output != *exited) Distrust(kMismatch);
      return;
    }
    Replayed("Output", output);
  }

  const asl::State& state_;
  const RecordedVisit& visit_;
  model::ExecutionSnapshot snapshot_;
  base::Rng rng_;
  AdvanceOptions options_;
  Outcome outcome_;
  Executor executor_;
  std::vector<ReplayedStage> stages_;
  bool trusted_ = true;
  std::string distrust_note_;
  std::optional<base::AslError> raised_;  // the error a replayed stage raised
};

std::vector<ReplayedStage> ReplayDataFlow(const asl::StateMachineModel& model,
                                          const RecordedVisit& visit) {
  return StageReplayer(model, visit).Run();
}

}  // namespace flowstate::engine

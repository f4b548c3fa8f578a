// Executor carries out one engine::Advance call: it applies the input to the frame it answers,
// then runs every runnable frame until each is blocked, the execution ends or the step budget
// is spent. Internal to the engine module; its methods live in one file per concept
// (executor.cc: inputs and the run loop; history.cc; data_flow.cc; errors.cc; task.cc; wait.cc;
// choice.cc; parallel_map.cc; context_object.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "asl/state_machine_model.h"
#include "base/asl_error.h"
#include "base/clock.h"
#include "base/rng.h"
#include "engine/advance.h"
#include "json/compact_text.h"
#include "json/json.h"
#include "model/execution_snapshot.h"
#include "model/input.h"
#include "query/eval_context.h"
#include "query/jsonata/evaluator.h"
#include "query/jsonata/value.h"

namespace flowstate::engine {

using Expected = tl::expected<json::Json, base::AslError>;
using json::AppendCompactText;
using json::CompactText;

// The effective input of a state: the frame's input itself when InputPath is absent (no copy),
// else the selected value.
struct Selected {
  json::Json owned;
  const json::Json* borrowed = nullptr;
  const json::Json& get() const { return borrowed != nullptr ? *borrowed : owned; }
};

// What `$states` holds for the JSONata evaluations of one state (engine/jsonata_flow.cc):
// pointers to data the caller owns, and the `$states` value built once from them.
struct StatesView {
  const json::Json* input = nullptr;         // $states.input: the state's raw input
  const json::Json* result = nullptr;        // $states.result (Task/Parallel/Map success)
  const json::Json* error_output = nullptr;  // $states.errorOutput (Catch)
  const json::Json* context = nullptr;       // a prepared $states.context (Map item), else built
  json::Json* consumable_input = nullptr;    // `input`, when nothing reads it after the Output
  size_t take_budget = 0;                    // bytes an Output built in it may add
  std::optional<query::jsonata::Value> value;
  bool value_has_context = false;
};

// {"truncated": false}: the inputDetails/outputDetails of every payload-carrying event (copied
// from one instance instead of built from an initializer list each time).
model::RawJson NotTruncated();

class Executor {
 public:
  Executor(const asl::StateMachineModel& model, model::ExecutionSnapshot& snapshot,
           base::Timestamp now, base::Rng& rng, const AdvanceOptions& options, Outcome& outcome);

  void Apply(model::Input&& input);

 private:
  // replay.cc: the console's data-flow replay calls the data-flow methods below directly.
  friend class StageReplayer;

  // --- executor.cc: inputs, the run loop, frames and transitions
  void Start(model::Input&& input);
  void Continue();
  void OnTimer(uint64_t stamp);
  void OnTaskSucceeded(model::Input&& input);
  void OnTaskFailed(const model::Input& input);
  void Stop(const model::Input& input);
  void TimeOut();

  // --- redrive.cc: RedriveExecution
  void Redrive();
  // Makes `frame_id` run again from its unsuccessful state: a Parallel/Map with kept children
  // reruns those children (and starts the iterations never started); any other state is
  // entered again. `chain` is the previousEventId of the frame's next event.
  void RedriveFrame(int32_t frame_id, int64_t chain,
                    const std::vector<std::vector<int32_t>>& children,
                    std::vector<int32_t>& composites);
  // Keeps a failed or aborted child of a Parallel/Map (ExecutionSnapshot: parked children).
  void ParkChild(int32_t child_id);
  // Frees the kept children of a Parallel/Map (and theirs), and its collected results.
  void ReleaseChildren(int32_t frame_id);
  // What a stamp answers in its frame: the task (or timer) itself, the task's TimeoutSeconds
  // timer or its heartbeat timer.
  enum class StampMatch { kNone, kTask, kTimeout, kHeartbeat };
  int32_t FindFrameByStamp(uint64_t stamp, StampMatch* match) const;
  // Stamps carry their frame's index in the low bits, so an answer finds its frame in O(1)
  // (a Map with thousands of iterations waiting on tasks).
  static constexpr int kStampFrameBits = 24;
  uint64_t NewStamp(int32_t frame_id) {
    return (snapshot_.next_stamp++ << kStampFrameBits) | static_cast<uint64_t>(frame_id);
  }
  void RunQueue();
  void RunFrame(int32_t frame_id);
  void Step(int32_t frame_id);
  int32_t NewFrame(int32_t parent, int32_t scope, int32_t child_index, json::Json&& input,
                   int64_t last_event_id);
  void FreeFrame(int32_t frame_id);
  model::Frame& frame(int32_t frame_id) { return snapshot_.frames[static_cast<size_t>(frame_id)]; }
  const asl::State& StateOf(int32_t frame_id);
  // Leaves the current state with `output` (after its Exited event): next state or scope end.
  // `output_bytes`: its payload size when measured, else 0.
  void Transition(int32_t frame_id, json::Json&& output, asl::StateIndex next,
                  std::string output_text, size_t output_bytes);
  // Whether the state's output may be built in its input (taken, not copied), and then how many
  // bytes it may add to it (SIZE_MAX: no payload limit); nullopt: the input must stay whole.
  // Once the output is built the state can still fail: evaluating or storing its variables
  // (`assigns`), OutputPath, an output past the payload limit. Then a Catcher hands the input to
  // its own Output or ResultPath, and a Retrier, or a redrive, runs the state on it again.
  std::optional<size_t> TakeInputBudget(int32_t frame_id, const asl::State& state, bool assigns);
  void EndScope(int32_t frame_id, json::Json&& output, std::string output_text);
  void FailScope(int32_t frame_id, base::AslError error);
  void FinishExecution(model::Terminal terminal);
  bool Ended() const { return outcome_.terminal.has_value(); }
  // The history quota was reached: events past it were not recorded; the execution must fail.
  bool history_full_ = false;
  bool failing_for_quota_ = false;
  void FailForHistoryQuota();

  // --- history.cc
  // Emit/EmitWithPrev append an event to the outcome. With no history recorded (and no quota to
  // watch) they only take the next id, since causes cite event ids, and hand out `unrecorded_`:
  // inline, as that is most of what an Express step does per event.
  model::HistoryEvent& Emit(int32_t frame_id, base::InternedName type,
                            base::InternedName details_key) {
    if (options_.record_history || options_.max_history_events != 0) {
      return EmitRecorded(frame_id, type, details_key);
    }
    model::Frame& source = frame(frame_id);
    // A Distributed Map iteration's events are its child execution's: they take no id here.
    unrecorded_.id = model_.scope(source.scope).in_distributed_map ? -1 : snapshot_.next_event_id++;
    unrecorded_.details.Clear();  // callers may fill it: keep it from growing
    source.last_event_id = unrecorded_.id;
    return unrecorded_;
  }
  model::HistoryEvent& EmitWithPrev(int64_t previous_event_id, base::InternedName type,
                                    base::InternedName details_key) {
    if (options_.record_history || options_.max_history_events != 0) {
      return EmitRecordedWithPrev(previous_event_id, type, details_key);
    }
    unrecorded_.id = snapshot_.next_event_id++;
    unrecorded_.details.Clear();
    return unrecorded_;
  }
  model::HistoryEvent& EmitRecorded(int32_t frame_id, base::InternedName type,
                                    base::InternedName details_key);
  model::HistoryEvent& EmitRecordedWithPrev(int64_t previous_event_id, base::InternedName type,
                                            base::InternedName details_key);
  // The stand-in for an event not recorded, with `id`; its details are cleared (callers that
  // record history fill them, and nobody reads them).
  model::HistoryEvent& Unrecorded(int64_t id);
  void EmitStateEntered(int32_t frame_id, const asl::State& state);
  void EmitStateExited(int32_t frame_id, const asl::State& state, const std::string& output_text,
                       const json::Json& assigned = json::Json());
  // Checks the output size, emits ...StateExited and moves to `next` (End when kNoState).
  // `from_catch`: the output is a Catcher's; if it is too big the scope fails (a second catch
  // of the same error would loop).
  // `assigned`: the variables the state's Assign set (object, or null), stored in the frame's
  // scope once the output is accepted.
  void ExitState(int32_t frame_id, const asl::State& state, json::Json&& output,
                 asl::StateIndex next, bool from_catch = false,
                 json::Json&& assigned = json::Json());

  // --- data_flow.cc
  query::EvalContext MakeContext(int32_t frame_id, const asl::State& state,
                                 const json::Json* input);
  Expected ApplyInputPath(int32_t frame_id, const asl::State& state, const json::Json& input);
  tl::expected<Selected, base::AslError> SelectInput(int32_t frame_id, const asl::State& state);
  // Takes the value out of `selected` (moving the frame's input when it was borrowed: callers
  // do so only when the input is not needed any more).
  json::Json TakeSelected(int32_t frame_id, Selected& selected);
  Expected ApplyTemplate(int32_t frame_id, const asl::State& state, const asl::TemplateField& field,
                         const json::Json& input);
  Expected ApplyResultPath(int32_t frame_id, const asl::State& state,
                           const asl::ResultPathField& path, const json::Json& input,
                           json::Json result);
  Expected ApplyOutputPath(int32_t frame_id, const asl::State& state, const json::Json& value);
  // Result -> ResultSelector -> (Assign) -> ResultPath -> OutputPath -> size check. With
  // `assigned`, the state's JSONPath Assign is evaluated on the selected result into it.
  Expected FinishDataFlow(int32_t frame_id, const asl::State& state, json::Json&& result,
                          bool apply_selector, json::Json* assigned = nullptr);
  base::AslError RuntimeError(int32_t frame_id, const asl::State& state,
                              base::AslError error) const;
  base::AslError DataLimitError(std::string_view who) const;
  // A payload's size for AWS's limit. When history records it, `text` receives its compact text
  // quoted, as event details embed it (model::RawJson); else the size is only counted.
  size_t PayloadSize(const json::Json& payload, std::string& text) const {
    if (!options_.record_history && options_.max_payload_bytes == 0) return 0;
    return MeasurePayload(payload, text);
  }
  size_t MeasurePayload(const json::Json& payload, std::string& text) const;
  bool ExceedsPayloadLimit(size_t bytes) const {
    return options_.max_payload_bytes != 0 && bytes > options_.max_payload_bytes;
  }

  // --- jsonata_flow.cc: JSONata-mode fields and Assign
  // `prefix` + `name`: the field in causes ("Output", "Choices[0]/" + "Condition").
  // `value_out`: also the result as an evaluator value (see RememberJsonataInput).
  Expected EvalJsonata(int32_t frame_id, const asl::State& state,
                       const query::JsonataTemplate& field, std::string_view name, StatesView& view,
                       std::string_view prefix = {}, query::jsonata::Value* value_out = nullptr);
  // `$states.input` as an evaluator value: the one remembered for the frame when it is still
  // the same document (a JSONata state's output is usually the next state's input), else a
  // fresh conversion, remembered in turn.
  class StatesOfView;  // query::JsonataStates over a StatesView
  query::jsonata::Value JsonataInput(int32_t frame_id, const json::Json& input);
  void RememberJsonataInput(int32_t frame_id, query::jsonata::Value value);
  // `$states` when it holds only the input, as for most evaluations: one object, refilled in
  // place once no value of an earlier evaluation refers to it.
  query::jsonata::Value StatesOfInput(query::jsonata::Value input);
  // Assign of a state, Catcher or Choice rule: the object of new values (null when absent),
  // evaluated with the variables' entry values. JSONPath: `$` is `jsonpath_input`.
  // `prefix`: a Choice rule's or Catcher's ("Choices[0]/", "Catch[1]/") in causes.
  Expected EvalAssign(int32_t frame_id, const asl::State& state, const asl::AssignField& assign,
                      const json::Json* jsonpath_input, StatesView& view,
                      std::string_view prefix = {});
  // Output (or `fallback` when absent) and Assign of a JSONata state; then ExitState.
  void FinishJsonata(int32_t frame_id, const asl::State& state, StatesView& view,
                     const json::Json& fallback, asl::StateIndex next);
  // JSONata Task/Parallel: Arguments evaluated (the state input when absent).
  Expected JsonataArguments(int32_t frame_id, const asl::State& state);
  // A JSONata field that must be an integer >= `minimum` (TimeoutSeconds, MaxConcurrency...).
  tl::expected<int64_t, base::AslError> EvalJsonataInteger(int32_t frame_id,
                                                           const asl::State& state,
                                                           const asl::JsonataField& field,
                                                           std::string_view name, StatesView& view);
  void RunChoiceJsonata(int32_t frame_id, const asl::State& state);
  void RunFailJsonata(int32_t frame_id, const asl::State& state);

  // --- variables.cc
  // The variables `frame_id` can read: its scope's and its ancestors' (inner names win), or
  // null when there are none. A Distributed Map's iterations do not see the outer ones.
  const json::Json* VisibleVariables(int32_t frame_id);
  // Stores `assigned` in the frame's scope; fails on AWS's size limits.
  std::optional<base::AslError> StoreVariables(int32_t frame_id, const asl::State& state,
                                               const json::Json& assigned);
  // Forgets a frame's variables (its scope ended) and their share of the execution's total.
  void ReleaseVariables(int32_t frame_id);
  json::Json visible_variables_;  // scratch: the merged view of several scopes
  // Per frame, the evaluator value of the document its next state will likely read as
  // `$states.input` (checked against the document before use). Bounded; lives for one Advance.
  std::unordered_map<int32_t, query::jsonata::Value> jsonata_inputs_;
  query::jsonata::Value states_of_input_;  // see StatesOfInput

  // --- context_object.cc
  const json::Json* ContextFor(int32_t frame_id, const asl::State& state);
  json::Json BuildContext(int32_t frame_id, const asl::State& state);
  json::Json context_;  // rebuilt per evaluation when a state reads `$$`

  // --- errors.cc: Retry, Catch and failing the state
  // Handles an error raised by the current state of `frame_id`: retry (timer), catch
  // (transition) or fail the scope. Events for the failure itself are emitted by the caller.
  // `failed_event` (e.g. "MapStateFailed") is emitted unless the state is retried.
  void HandleStateError(int32_t frame_id, base::AslError error,
                        base::InternedName failed_event = {});
  static bool ErrorMatches(const std::vector<std::string>& error_equals, const std::string& error);

  // --- pass/succeed/fail/choice/wait (states.cc)
  void RunPass(int32_t frame_id, const asl::State& state);
  void RunChoice(int32_t frame_id, const asl::State& state);
  void RunWait(int32_t frame_id, const asl::State& state);
  void RunSucceed(int32_t frame_id, const asl::State& state);
  void RunFail(int32_t frame_id, const asl::State& state);
  void FinishWait(int32_t frame_id);

  // --- task.cc
  void RunTask(int32_t frame_id, const asl::State& state);
  void TaskResult(int32_t frame_id, json::Json&& result);
  void TaskFailure(int32_t frame_id, base::AslError error, bool timed_out);
  void FinishWithResult(int32_t frame_id, const asl::State& state, json::Json&& result);

  // --- token_task.cc: activities and `.waitForTaskToken` (task tokens, heartbeats)
  static bool UsesTaskToken(const asl::TaskSpec& task) {
    return task.kind == asl::TaskKind::kActivity || task.wait_for_task_token;
  }
  std::string NewTaskToken();
  // The frame waits on its task (kWaitTask) and `input` answers it.
  std::string_view Region() const;
  int32_t WaitingTaskFrame(const model::Input& input);
  void OnTaskSubmitted(const model::Input& input);
  void OnActivityStarted(const model::Input& input);
  void OnHeartbeat(const model::Input& input);
  void OnHeartbeatTimer(int32_t frame_id);
  void OnTaskScheduleFailed(const model::Input& input);
  void ArmHeartbeat(int32_t frame_id);
  // The frame stops waiting on its token (if any): SendTask* on it fails from now on.
  void CloseTaskToken(int32_t frame_id, bool timed_out);

  // --- parallel_map.cc
  void RunParallel(int32_t frame_id, const asl::State& state);
  void RunMap(int32_t frame_id, const asl::State& state);
  void RunMapJsonata(int32_t frame_id, const asl::State& state);
  // Starts the iterations of a Map whose items and limits are resolved.
  void LaunchMap(int32_t frame_id, const asl::State& state, json::Json effective, json::Json items,
                 json::Json tolerated_count, json::Json tolerated_percentage,
                 int64_t max_concurrency);
  void PumpChildren(int32_t frame_id);
  void ChildFinished(int32_t child_id);
  void FinishComposite(int32_t frame_id);
  void AbortChildren(int32_t frame_id);
  void AbortFrame(int32_t frame_id);
  std::string MapRunArn(const std::string& label);

  // `fire_at` with its distance from now scaled by options_.wait_time_scale.
  base::Timestamp ScaledWaitEnd(base::Timestamp fire_at) const;

  const asl::StateMachineModel& model_;
  model::ExecutionSnapshot& snapshot_;
  base::Timestamp now_;
  base::Rng& rng_;
  const AdvanceOptions& options_;
  Outcome& outcome_;
  int64_t budget_;
  // Frames ready to step, FIFO: a vector read from `runnable_next_` (a std::deque allocates on
  // construction, and an Executor lives for one Advance call), with room inline for the few a
  // step usually makes ready.
  boost::container::small_vector<int32_t, 8> runnable_;
  size_t runnable_next_ = 0;
  model::HistoryEvent unrecorded_;  // see Emit
};

}  // namespace flowstate::engine

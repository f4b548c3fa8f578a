// Executor carries out one engine::Advance call: it applies the input to the frame it answers,
// then runs every runnable frame until each is blocked, the execution ends or the step budget
// is spent. Internal to the engine module; its methods live in one file per concept
// (executor.cc: inputs and the run loop; history.cc; data_flow.cc; errors.cc; task.cc; wait.cc;
// choice.cc; parallel_map.cc; context_object.cc).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "asl/state_machine_model.h"
#include "base/asl_error.h"
#include "base/clock.h"
#include "base/rng.h"
#include "engine/advance.h"
#include "json/json.h"
#include "model/execution_snapshot.h"
#include "model/input.h"
#include "query/eval_context.h"

namespace flowstate::engine {

using Expected = tl::expected<json::Json, base::AslError>;

// The effective input of a state: the frame's input itself when InputPath is absent (no copy),
// else the selected value.
struct Selected {
  json::Json owned;
  const json::Json* borrowed = nullptr;
  const json::Json& get() const { return borrowed != nullptr ? *borrowed : owned; }
};

// {"truncated": false}: the inputDetails/outputDetails of every payload-carrying event (copied
// from one instance instead of built from an initializer list each time).
const json::Json& NotTruncated();

class Executor {
 public:
  Executor(const asl::StateMachineModel& model, model::ExecutionSnapshot& snapshot,
           base::Timestamp now, base::Rng& rng, const AdvanceOptions& options, Outcome& outcome);

  void Apply(const model::Input& input);

 private:
  // --- executor.cc: inputs, the run loop, frames and transitions
  void Start(const model::Input& input);
  void Continue();
  void OnTimer(uint64_t stamp);
  void OnTaskSucceeded(const model::Input& input);
  void OnTaskFailed(const model::Input& input);
  void Stop(const model::Input& input);
  void TimeOut();
  int32_t FindFrameByStamp(uint64_t stamp, bool* is_timeout) const;
  // Stamps carry their frame's index in the low bits, so an answer finds its frame in O(1)
  // (a Map with thousands of iterations waiting on tasks).
  static constexpr int kStampFrameBits = 24;
  uint64_t NewStamp(int32_t frame_id) {
    return (snapshot_.next_stamp++ << kStampFrameBits) | static_cast<uint64_t>(frame_id);
  }
  void RunQueue();
  void RunFrame(int32_t frame_id);
  void Step(int32_t frame_id);
  int32_t NewFrame(int32_t parent, int32_t scope, int32_t child_index, json::Json input,
                   int64_t last_event_id);
  void FreeFrame(int32_t frame_id);
  model::Frame& frame(int32_t frame_id) { return snapshot_.frames[static_cast<size_t>(frame_id)]; }
  const asl::State& StateOf(int32_t frame_id);
  // Leaves the current state with `output` (after its Exited event): next state or scope end.
  void Transition(int32_t frame_id, json::Json output, asl::StateIndex next,
                  std::string output_text);
  void EndScope(int32_t frame_id, json::Json output, std::string output_text);
  void FailScope(int32_t frame_id, base::AslError error);
  void FinishExecution(model::Terminal terminal);
  bool Ended() const { return outcome_.terminal.has_value(); }

  // --- history.cc
  model::HistoryEvent& Emit(int32_t frame_id, std::string_view type, std::string_view details_key);
  model::HistoryEvent& EmitWithPrev(int64_t previous_event_id, std::string_view type,
                                    std::string_view details_key);
  void EmitStateEntered(int32_t frame_id, const asl::State& state);
  void EmitStateExited(int32_t frame_id, const asl::State& state, const std::string& output_text);
  // Checks the output size, emits ...StateExited and moves to `next` (End when kNoState).
  // `from_catch`: the output is a Catcher's; if it is too big the scope fails (a second catch
  // of the same error would loop).
  void ExitState(int32_t frame_id, const asl::State& state, json::Json output, asl::StateIndex next,
                 bool from_catch = false);

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
  // Result -> ResultSelector -> ResultPath -> OutputPath -> size check.
  Expected FinishDataFlow(int32_t frame_id, const asl::State& state, json::Json result,
                          bool apply_selector);
  base::AslError RuntimeError(int32_t frame_id, const asl::State& state,
                              base::AslError error) const;
  base::AslError DataLimitError(std::string_view who) const;
  // Payload texts are needed for history details and for the size check only.
  bool NeedsPayloadText() const {
    return options_.record_history || options_.max_payload_bytes != 0;
  }
  bool ExceedsPayloadLimit(size_t bytes) const {
    return options_.max_payload_bytes != 0 && bytes > options_.max_payload_bytes;
  }

  // --- context_object.cc
  const json::Json* ContextFor(int32_t frame_id, const asl::State& state);
  json::Json BuildContext(int32_t frame_id, const asl::State& state);
  json::Json context_;  // rebuilt per evaluation when a state reads `$$`

  // --- errors.cc: Retry, Catch and failing the state
  // Handles an error raised by the current state of `frame_id`: retry (timer), catch
  // (transition) or fail the scope. Events for the failure itself are emitted by the caller.
  // `failed_event` (e.g. "MapStateFailed") is emitted unless the state is retried.
  void HandleStateError(int32_t frame_id, base::AslError error, std::string_view failed_event = {});
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
  void TaskResult(int32_t frame_id, const json::Json& result);
  void TaskFailure(int32_t frame_id, base::AslError error, bool timed_out);

  // --- parallel_map.cc
  void RunParallel(int32_t frame_id, const asl::State& state);
  void RunMap(int32_t frame_id, const asl::State& state);
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
  std::deque<int32_t> runnable_;
  std::string region_;
};

}  // namespace flowstate::engine

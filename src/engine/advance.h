// The interpreter: a pure step function (ARCHITECTURE.md §4). Given the model, the execution's
// snapshot and one Input, it runs the execution until every active frame is blocked (on a timer
// or a task) or the execution ends or the step budget is spent, and returns what happened and what
// must be done. No threads, clock reads, I/O or SQL: `now` and `rng` are its only sources of time
// and randomness, so the same arguments always give the same Outcome.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "asl/state_machine_model.h"
#include "base/clock.h"
#include "base/rng.h"
#include "model/execution_snapshot.h"
#include "model/history_event.h"
#include "model/input.h"
#include "model/outbound.h"

namespace flowstate::engine {

// A step usually calls at most one task (Parallel and Map starts call more): kept inline, as an
// Outcome lives for one Advance call and this is the only allocation many steps would make.
using OutboundTasks = boost::container::small_vector<model::OutboundTask, 1>;

struct Outcome {
  std::vector<model::HistoryEvent> events;        // ids continue from the snapshot's last id
  std::vector<model::TimerRequest> timers;        // to arm
  OutboundTasks tasks;                            // to call
  std::vector<model::TokenClosed> closed_tokens;  // task tokens no longer waited for
  std::optional<model::Terminal> terminal;        // set when the execution ended in this step
  int64_t states_entered = 0;                     // states entered in this step (counted in both
                                                  // history modes)
  bool redriven = false;                          // a kRedrive input reopened the execution
  bool more_work = false;                         // step budget spent: call Advance again with a
                                                  // kTimerFired input of stamp 0 (a "continue")
};

struct AdvanceOptions {
  int64_t step_budget = 10000;  // states entered per call before yielding with more_work
  // AWS's payload limit (States.DataLimitExceeded) for state input/output, task parameters and
  // results. 0 disables the check (benchmarks whose Map results exceed AWS's limit).
  size_t max_payload_bytes = 262144;
  // false: no history events are built (Outcome::events stays empty) while event ids still
  // advance exactly as if they were, so causes citing "event id #N" stay right. For executions
  // whose history nobody can read (Express without logging, `flowstate run`).
  bool record_history = true;
  // Multiplies Wait state durations and Retry intervals (AWS Step Functions Local's
  // WAIT_TIME_SCALE): 0.01 makes a one-hour Wait last 36 seconds. Timeouts are not scaled.
  double wait_time_scale = 1.0;
  // Makes the task token of an activity or `.waitForTaskToken` task. Tokens must be unguessable,
  // so the runtime passes a source of secure randomness (TaskTokenRegistry::NewToken); when
  // unset, tokens come from `rng` (deterministic: tests and executions nobody can answer).
  std::function<std::string()> new_task_token;
  // AWS's history quota for Standard executions (25,000): the event with this id must be
  // ExecutionSucceeded, else it is an ExecutionFailed and the execution ends there. 0: no quota
  // (Express, `flowstate run`).
  int64_t max_history_events = 0;
};

// Applies `input` to `snapshot`, which is updated in place (copy it first to keep the old one).
// `input` may be moved from (its payload and info; kind and stamp stay): a task's result moves
// into the state's output, uncopied, and the input itself is never copied or moved.
// Answers: kTaskSucceeded carries the task's raw result (lambda:invoke: AWS's wrapped
// {ExecutedVersion, Payload, ...}); kTaskFailed carries error/cause, and error
// "States.Timeout" records TaskTimedOut/LambdaFunctionTimedOut instead of ...Failed. An input
// whose stamp matches no pending work (a late timer, a cancelled task) is dropped: no event.
// Stamps carry the frame index in their low 24 bits (engine-internal, opaque to callers).
Outcome Advance(const asl::StateMachineModel& model, model::ExecutionSnapshot& snapshot,
                model::Input&& input, base::Timestamp now, base::Rng& rng,
                const AdvanceOptions& options = {});

}  // namespace flowstate::engine

// Runtime is the shell that executes state machines (ARCHITECTURE.md §5-6): a fixed set of lanes
// (one thread each; an execution always runs on lane hash(ARN) % lanes), each applying
// engine::Advance to the Inputs in its inbox. A persisted (Standard) execution's step becomes one
// store::Transition (snapshot, history, timers, outbox); only when the store reports it
// committed does the lane arm its timers, dispatch its tasks and complete waiters, and only then
// does the execution take its next input. Task results and fired timers come back as Inputs
// through the same inbox. Recover() resumes, after a restart, every execution the store has
// RUNNING. Nothing here blocks a caller: every method only enqueues. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "json/json.h"
#include "model/execution_info.h"
#include "model/execution_status.h"
#include "model/input.h"
#include "runtime/activity_broker.h"
#include "runtime/execution_log.h"
#include "runtime/model_cache.h"
#include "runtime/task_token_registry.h"
#include "runtime/transition_feed.h"

namespace flowstate::store {
class Store;
}  // namespace flowstate::store

namespace flowstate::runtime {

class TaskDispatcher;
class TimerService;

// How an execution ended, for waiters (StartSyncExecution, `flowstate run`).
struct ExecutionResult {
  model::ExecutionStatus status = model::ExecutionStatus::kSucceeded;
  std::optional<std::string> output;  // JSON text, when SUCCEEDED
  std::optional<std::string> error;
  std::optional<std::string> cause;
  base::Timestamp stop_date{};
};

struct StartRequest {
  model::ExecutionInfo info;
  ModelPtr model;
  json::Json input;
  // Standard executions: every step is committed to the Store, whose record the caller created
  // (Store::StartExecution) before calling Start. Express/`run`: memory only, no history.
  bool persist = true;
  // Express: the execution times out (States.Timeout) at this time (AWS: 5 minutes).
  std::optional<base::Timestamp> deadline;
  // The state machine's LoggingConfiguration (LogSettingsOf); null: not logged. A logged
  // memory-only execution builds its history events for the log.
  std::shared_ptr<const LogSettings> log;
  // Called once, from a lane thread, when the execution ends. Must not block.
  std::function<void(const ExecutionResult&)> on_end;
};

struct RuntimeOptions {
  int lanes = 0;      // 0 = one per core
  uint64_t seed = 0;  // 0 = random (per-lane Rng seeds derive from it)
  // Scales Wait states and Retry intervals (--wait-time-scale, env WAIT_TIME_SCALE).
  double wait_time_scale = 1.0;
  // Timer look-ahead, on once Recover() ran: persisted timers due within this window are held in
  // memory; later ones stay rows in the store, loaded by a scan every half window. An execution
  // whose only pending work is such a later timer leaves memory until it comes due.
  std::chrono::milliseconds timer_look_ahead{60000};
  ActivityBrokerOptions activities{};
  // Where logged executions' events go (null: nowhere). Must outlive the Runtime.
  ExecutionLogWriter* log_writer = nullptr;
};

class Runtime {
 public:
  // REQUIRES: every reference outlives the Runtime; `dispatcher` and `timers` stop calling back
  // before the Runtime is destroyed.
  Runtime(const RuntimeOptions& options, store::Store& store, const base::Clock& clock,
          TaskDispatcher& dispatcher, TimerService& timers);
  ~Runtime();  // Shutdown()s
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Memory-only executions (persist = false) take their first step on the calling thread
  // (bounded by a small step budget), so `on_end` may run before Start returns.
  void Start(StartRequest request);

  // Stops a running execution (StopExecution): the engine applies a Stop input (ABORTED).
  // `done` gets the stop date, or nullopt when the execution was not running on this runtime.
  using StopDone = std::function<void(std::optional<base::Timestamp>)>;
  void Stop(const std::string& execution_arn, std::string error, std::string cause, StopDone done);

  // RedriveExecution: continues an execution that ended FAILED, TIMED_OUT or ABORTED from its
  // terminal snapshot (the engine's kRedrive input), the redrive committed as one transition
  // like any step. `done` (called on a lane thread) gets the redrive date; NotFound when the
  // execution does not exist, Conflict (message: AWS's reason) when it cannot be redriven,
  // Unavailable when the redrive could not be stored. A `client_token` used by one of the last
  // redrives of the execution (within 15 minutes) gets that redrive's date, with no new one.
  using RedriveDone = std::function<void(base::Result<base::Timestamp>)>;
  void Redrive(const std::string& execution_arn, std::string client_token, RedriveDone done);

  ModelCache& models() { return models_; }
  // Published after each committed transition of a persisted execution (the console's live view).
  TransitionFeed& feed() { return feed_; }

  // Resumes every execution the store has RUNNING where its last commit left it: its snapshot
  // (or its start, when no step committed), its timers re-armed and its unanswered outbound
  // tasks dispatched again (at least once, as AWS). Call once, before serving. Returns how many
  // executions were resumed; an execution that cannot be resumed (its revision or snapshot is
  // unreadable) is reported on stderr and left as stored.
  base::Result<size_t> Recover();
  // SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat: hands `answer` (kTaskSucceeded,
  // kTaskFailed or kHeartbeat; its stamp is filled in here) to the execution waiting on `token`
  // when the token is pending; otherwise returns why not (AWS-REFERENCE.md §3.4).
  TokenStatus AnswerTask(const std::string& token, model::Input answer);
  // GetActivityTask long polls (ActivityStarted is recorded when a poll claims a task).
  ActivityBroker& activities() { return *activities_; }
  TaskTokenRegistry& tokens() { return tokens_; }

  // Stops the lanes; executions still running stay as the store has them. Idempotent.
  void Shutdown();

  // Number of executions currently held by lanes (tests, metrics); executions asleep beyond
  // the timer look-ahead are not held.
  size_t LiveExecutionsForTesting() const;

 private:
  class Lane;
  Lane& LaneFor(const std::string& execution_arn);
  void StartInline(StartRequest request);
  // Moves the look-ahead horizon to now + window, arms the timers between the old and the new
  // horizon, and schedules the next scan.
  void ScanTimers();

  store::Store& store_;
  const base::Clock& clock_;
  TimerService& timers_;
  const std::chrono::milliseconds look_ahead_;
  // Persisted timers due after this (Unix ms) are not in the TimerService yet.
  std::atomic<int64_t> horizon_millis_{std::numeric_limits<int64_t>::max()};
  const double wait_time_scale_;
  ExecutionLogWriter* const log_writer_;
  ModelCache models_;
  TransitionFeed feed_;
  TaskTokenRegistry tokens_;
  std::unique_ptr<ActivityBroker> activities_;
  std::vector<std::unique_ptr<Lane>> lanes_;  // last: lanes use the members above
};

}  // namespace flowstate::runtime

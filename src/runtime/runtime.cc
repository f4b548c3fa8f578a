#include "runtime/runtime.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <iostream>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/rng.h"
#include "engine/advance.h"
#include "json/compact_text.h"
#include "model/execution_snapshot.h"
#include "runtime/redrive_rules.h"
#include "runtime/task_dispatcher.h"
#include "runtime/timer_service.h"
#include "store/store.h"

namespace flowstate::runtime {
namespace {

// AWS's quota of events in a Standard execution's history.
constexpr int64_t kMaxHistoryEvents = 25000;

enum class WorkKind {
  kStart,
  kAdopt,
  kResume,
  kInput,
  kLoadedTimer,  // a timer the look-ahead loaded from the store: loads its execution if needed
  kStop,
  kDeadline,
  kCommitted,
  kRedrive,
};

// An execution held by its lane between steps.
struct LiveExecution {
  ModelPtr model;
  model::ExecutionSnapshot snapshot;
  bool persist = true;
  std::shared_ptr<const LogSettings> log;  // null: not logged
  int64_t version = 0;                     // committed transitions
  std::function<void(const ExecutionResult&)> on_end;
  // Persisted executions: one of its Transitions is in the store. Further inputs wait here
  // until the store answers, so steps commit in the order they were taken and no effect of a
  // step runs before that step is durable.
  bool committing = false;
  std::deque<model::Input> waiting;
  // Stamps answered by steps that changed nothing (a late timer, a result for a task that timed
  // out): their rows are deleted by the next commit instead of costing one of their own.
  std::vector<uint64_t> answered;
  // Persisted timers of this execution held by the TimerService (due before the look-ahead
  // horizon when armed). While any is, the execution stays in memory.
  std::vector<uint64_t> armed;
};

// An Express execution whose first step ran on the caller's thread and did not end there: its
// lane takes it over and carries out what that step asked for.
struct Adoption {
  LiveExecution live;
  engine::Outcome outcome;
  base::Timestamp stepped_at{};
  std::optional<base::Timestamp> deadline;
};

// What a step asks for once it is committed.
struct Effects {
  std::vector<model::TimerRequest> timers;
  engine::OutboundTasks tasks;
  std::vector<model::TokenClosed> closed_tokens;
  std::optional<ExecutionResult> result;  // the execution ended
  bool more_work = false;
  // The step's input, applied again when its commit is lost. Only timers and outbox tasks come
  // back on their own (from their rows); a start, a stop or an answer through a task token
  // would be lost. Applying an input whose step did commit changes nothing (its stamp is
  // answered, or the execution ended).
  std::optional<model::Input> reapply;
  // Events of a logged execution, written to its log once the step is committed.
  std::vector<model::HistoryEvent> log_events;
  // The step redrove the execution (it is RUNNING again from this commit on).
  std::optional<store::ExecutionReopen> reopen;
};

// A commit's answer, posted back to the lane.
struct Committed {
  base::Result<std::vector<store::CommitResult>> outcome;
  Effects effects;
  bool backed_off = false;  // a failure already waited out its backoff (ProcessCommitted)
};

// How long a lane waits before reloading an execution whose commits failed `failures` times in
// a row: the first reload is at once; then 10 ms, doubling, up to 5 s.
std::chrono::milliseconds CommitBackoff(int failures) {
  if (failures <= 1) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(
      std::min<int64_t>(5000, int64_t{10} << std::min(failures - 2, 9)));
}

// An execution resumed from the store (Runtime::Recover, or a lane reloading after a commit it
// cannot trust).
struct Resumption {
  LiveExecution live;
  std::optional<model::Input> start;  // no step was committed: the execution starts over
  std::vector<store::TimerRow> timers;
  std::vector<model::OutboundTask> tasks;  // outbound work still unanswered
};

struct Work {
  WorkKind kind = WorkKind::kInput;
  std::string arn;
  model::Input input;
  std::unique_ptr<StartRequest> start;     // kStart
  std::unique_ptr<Adoption> adoption;      // kAdopt
  std::unique_ptr<Resumption> resumption;  // kResume
  std::shared_ptr<Committed> committed;    // kCommitted
  Runtime::StopDone stop_done;             // kStop
  Runtime::RedriveDone redrive_done;       // kRedrive
  std::string client_token;                // kRedrive
};

// Steps an inline start may take on the caller's thread before handing over to the lane, so a
// CPU-heavy Express execution cannot hold a network thread for long.
constexpr int64_t kInlineStepBudget = 1000;

ExecutionResult ToResult(const model::Terminal& terminal, base::Timestamp stop_date) {
  ExecutionResult result;
  result.status = terminal.status;
  result.stop_date = stop_date;
  if (terminal.status == model::ExecutionStatus::kSucceeded) {
    result.output = json::Dump(terminal.output);
  }
  if (terminal.has_error) {
    result.error = terminal.error;
  }
  if (terminal.has_cause) {
    result.cause = terminal.cause;
  }
  return result;
}

ExecutionResult ToResult(const store::ExecutionRecord& record) {
  ExecutionResult result;
  result.status = record.status;
  result.output = record.output;
  result.error = record.error;
  result.cause = record.cause;
  result.stop_date = record.stop_date.value_or(record.start_date);
  return result;
}

model::Input ContinueInput() {
  model::Input resume;
  resume.kind = model::InputKind::kTimerFired;
  resume.stamp = 0;
  return resume;
}

bool AnswersStamp(const model::Input& input) {
  // kTaskSubmitted: a `.waitForTaskToken` call returned; the task now waits on its token, which
  // the snapshot keeps, so the call's outbox row can go.
  return input.stamp != 0 && (input.kind == model::InputKind::kTimerFired ||
                              input.kind == model::InputKind::kTaskSucceeded ||
                              input.kind == model::InputKind::kTaskFailed ||
                              input.kind == model::InputKind::kTaskSubmitted ||
                              input.kind == model::InputKind::kTaskScheduleFailed);
}

// A step worth no commit: a timer or task answer the engine dropped as stale (or a "continue"
// with nothing to run). Other inputs (start, stop, and any input kind added later) always
// commit, since they may change the snapshot without an event.
bool IsNoOp(const model::Input& input, const engine::Outcome& outcome) {
  const bool answer = input.kind == model::InputKind::kTimerFired ||
                      input.kind == model::InputKind::kTaskSucceeded ||
                      input.kind == model::InputKind::kTaskFailed;
  return answer && outcome.events.empty() && outcome.timers.empty() && outcome.tasks.empty() &&
         !outcome.terminal && !outcome.more_work;
}

// The Start input of an execution whose start was committed but none of its steps.
base::Result<model::Input> StartInputFor(const store::ExecutionRecord& record,
                                         const store::StateMachineRecord& revision) {
  auto payload = json::Parse(record.input);
  if (!payload) {
    return base::Err(base::Status::Corruption("stored input of " + record.arn + ": " +
                                              payload.error().message()));
  }
  model::Input start;
  start.kind = model::InputKind::kStart;
  start.info = store::ExecutionInfoAtStart(record, revision);
  start.payload = std::move(*payload);
  return start;
}

// What resuming `arn` needs, read from the store. A null Resumption: the execution is not
// RUNNING any more (`record` says how it ended).
struct Loaded {
  store::ExecutionRecord record;
  std::unique_ptr<Resumption> resumption;
};

base::Result<Loaded> LoadForResume(store::Store& store, ModelCache& models,
                                   const std::string& arn) {
  auto state = store.LoadExecutionState(arn);
  if (!state) {
    return base::Err(state.error());
  }
  Loaded loaded;
  loaded.record = state->record;
  if (state->record.status != model::ExecutionStatus::kRunning) {
    return loaded;
  }
  auto revision = store.GetRevision(state->record.revision_id);
  if (!revision) {
    return base::Err(revision.error());
  }
  auto model =
      models.GetOrLoad((*revision)->revision_id, (*revision)->definition, (*revision)->type);
  if (!model) {
    return base::Err(model.error());
  }
  auto resumption = std::make_unique<Resumption>();
  resumption->live.model = std::move(*model);
  resumption->live.persist = true;
  resumption->live.log = LogSettingsOf((*revision)->logging_configuration);
  resumption->live.version = state->record.version;
  if (!state->snapshot) {
    auto start = StartInputFor(state->record, **revision);
    if (!start) {
      return base::Err(start.error());
    }
    resumption->start = std::move(*start);
  } else {
    auto parsed = json::Parse(*state->snapshot);
    if (!parsed) {
      return base::Err(
          base::Status::Corruption("snapshot of " + arn + ": " + parsed.error().message()));
    }
    auto snapshot = model::ExecutionSnapshot::FromJson(*parsed);
    if (!snapshot) {
      return base::Err(snapshot.error());
    }
    resumption->live.snapshot = std::move(*snapshot);
  }
  resumption->timers = std::move(state->timers);
  // Outbound work is dispatched again only while the snapshot still waits for it (a task that
  // timed out meanwhile is not called again); rows nobody waits for go with the next commit.
  std::unordered_set<uint64_t> pending;
  for (const model::Frame& frame : resumption->live.snapshot.frames) {
    if (frame.phase != model::FramePhase::kFree && frame.stamp != 0) {
      pending.insert(frame.stamp);
    }
  }
  for (const store::OutboxRow& row : state->outbox) {
    if (!pending.contains(row.stamp)) {
      resumption->live.answered.push_back(row.stamp);
      continue;
    }
    auto task = model::OutboundTask::FromOutbox(row.stamp, row.kind, row.payload);
    if (!task) {
      return base::Err(task.error());
    }
    resumption->tasks.push_back(std::move(*task));
  }
  loaded.resumption = std::move(resumption);
  return loaded;
}

// A lane's inbox. Commit callbacks hold it shared: a store may answer a commit after the
// runtime stopped (it finishes its queued writes when closed), and a post to a closed inbox is
// simply dropped.
class Inbox {
 public:
  void Post(Work work) {
    bool wake = false;
    {
      std::lock_guard lock(mu_);
      if (closed_) {
        return;
      }
      items_.push_back(std::move(work));
      wake = idle_;
    }
    if (wake) {
      cv_.notify_one();
    }
  }

  // Waits for work and moves all of it into `batch`; false once closed.
  bool Take(std::deque<Work>& batch) {
    std::unique_lock lock(mu_);
    idle_ = true;
    cv_.wait(lock, [this] { return closed_ || !items_.empty(); });
    idle_ = false;
    if (closed_) {
      return false;
    }
    batch.swap(items_);
    return true;
  }

  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      items_.clear();
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Work> items_;
  bool idle_ = false;
  bool closed_ = false;
};

}  // namespace

// One lane: an inbox (many producers), one thread, and the executions it owns. All engine work
// for an execution happens on its lane thread, so LiveExecution needs no lock.
class Runtime::Lane {
 public:
  Lane(Runtime& owner, store::Store& store, const base::Clock& clock, TaskDispatcher& dispatcher,
       TimerService& timers, ModelCache& models, const std::atomic<int64_t>& horizon_millis,
       uint64_t seed, double wait_time_scale)
      : owner_(owner),
        store_(store),
        clock_(clock),
        dispatcher_(dispatcher),
        timers_(timers),
        models_(models),
        horizon_millis_(horizon_millis),
        rng_(seed),
        wait_time_scale_(wait_time_scale),
        inbox_(std::make_shared<Inbox>()) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Lane() { Shutdown(); }

  void Post(Work work) { inbox_->Post(std::move(work)); }

  void PostInput(const std::string& arn, model::Input input) {
    Work work;
    work.kind = WorkKind::kInput;
    work.arn = arn;
    work.input = std::move(input);
    Post(std::move(work));
  }

  void Shutdown() {
    inbox_->Close();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  size_t live_count() const { return live_count_.load(); }

 private:
  using LiveIt = std::unordered_map<std::string, LiveExecution>::iterator;

  void Loop() {
    std::deque<Work> batch;
    while (inbox_->Take(batch)) {
      for (auto& work : batch) {
        Process(work);
      }
      batch.clear();
      FlushCommits();
    }
  }

  void Process(Work& work) {
    switch (work.kind) {
      case WorkKind::kStart:
        ProcessStart(work);
        return;
      case WorkKind::kAdopt:
        ProcessAdopt(work);
        return;
      case WorkKind::kResume:
        Resume(work.arn, std::move(*work.resumption), {});
        return;
      case WorkKind::kInput: {
        auto it = live_.find(work.arn);
        if (it != live_.end()) {  // else: the execution ended; a late timer or task result
          Deliver(it, std::move(work.input));
        }
        return;
      }
      case WorkKind::kLoadedTimer: {
        auto it = live_.find(work.arn);
        if (it == live_.end()) {
          it = LoadOnDemand(work.arn);
        }
        if (it != live_.end()) {
          Deliver(it, std::move(work.input));
        }
        return;
      }
      case WorkKind::kStop:
        ProcessStop(work);
        return;
      case WorkKind::kDeadline:
        ProcessDeadline(work);
        return;
      case WorkKind::kCommitted:
        ProcessCommitted(work);
        return;
      case WorkKind::kRedrive:
        ProcessRedrive(work);
        return;
    }
  }

  void UpdateLiveCount() { live_count_.store(live_.size()); }

  void ProcessStart(Work& work) {
    StartRequest& request = *work.start;
    LiveExecution live;
    live.model = std::move(request.model);
    live.persist = request.persist;
    live.log = std::move(request.log);
    live.on_end = std::move(request.on_end);
    auto [it, inserted] = live_.emplace(work.arn, std::move(live));
    if (!inserted) {
      return;  // an idempotent repeat reached the lane twice
    }
    UpdateLiveCount();
    model::Input start;
    start.kind = model::InputKind::kStart;
    start.info = std::move(request.info);
    start.payload = std::move(request.input);
    const std::string arn = work.arn;
    Deliver(it, std::move(start));
    ArmDeadline(arn, request.deadline);
  }

  void ProcessAdopt(Work& work) {
    Adoption& adoption = *work.adoption;
    auto [it, inserted] = live_.emplace(work.arn, std::move(adoption.live));
    if (!inserted) {
      return;
    }
    UpdateLiveCount();
    const std::string arn = work.arn;
    Effects effects = EffectsOf(adoption.outcome, adoption.stepped_at);
    effects.log_events = std::move(adoption.outcome.events);
    RunEffects(it, effects);
    ArmDeadline(arn, adoption.deadline);
  }

  // Takes over an execution read from the store: re-arms its timers, dispatches its unanswered
  // tasks again, then starts it (nothing committed yet) or continues it (a step whose budget ran
  // out is picked up; otherwise the continue changes nothing and commits nothing).
  void Resume(const std::string& arn, Resumption resumption, std::deque<model::Input> waiting) {
    auto [it, inserted] = live_.emplace(arn, std::move(resumption.live));
    if (!inserted) {
      return;
    }
    UpdateLiveCount();
    for (const store::TimerRow& timer : resumption.timers) {
      ArmTimer(it, timer.fire_at, timer.stamp);
    }
    // Tokens live in the snapshot: the execution answers SendTask* again from here on.
    for (const model::Frame& frame : it->second.snapshot.frames) {
      if (frame.phase == model::FramePhase::kWaitTask && !frame.task_token.empty()) {
        owner_.tokens_.Register(frame.task_token, TokenTarget{arn, frame.stamp});
      }
    }
    for (const model::OutboundTask& task : resumption.tasks) {
      if (task.kind == model::TaskKind::kActivity && ActivityStarted(it->second, task.stamp)) {
        continue;  // a worker has it already; only its answer (or a timeout) is missing
      }
      DispatchTask(arn, task);
    }
    for (auto& input : waiting) {
      it->second.waiting.push_back(std::move(input));
    }
    Deliver(it, resumption.start ? std::move(*resumption.start) : ContinueInput());
  }

  void ArmDeadline(const std::string& arn, const std::optional<base::Timestamp>& deadline) {
    // Only an execution still running needs a deadline timer (a timer per start would pile up
    // 5 minutes' worth of starts in the heap).
    if (!deadline || !live_.contains(arn)) {
      return;
    }
    timers_.Arm(*deadline, [this, arn] {
      Work expired;
      expired.kind = WorkKind::kDeadline;
      expired.arn = arn;
      Post(std::move(expired));
    });
  }

  // A persisted timer due after the look-ahead horizon is left to its row: the scan that moves
  // the horizon past it arms it (Runtime::ScanTimers), so it costs no memory until then.
  void ArmTimer(LiveIt it, base::Timestamp fire_at, uint64_t stamp) {
    LiveExecution& live = it->second;
    if (live.persist) {
      if (base::ToUnixMillis(fire_at) > horizon_millis_.load()) {
        return;
      }
      live.armed.push_back(stamp);
    }
    timers_.Arm(fire_at, [this, arn = it->first, stamp] {
      model::Input fired;
      fired.kind = model::InputKind::kTimerFired;
      fired.stamp = stamp;
      PostInput(arn, std::move(fired));
    });
  }

  void DispatchTask(const std::string& arn, const model::OutboundTask& task) {
    if (!task.task_token.empty()) {
      owner_.tokens_.Register(task.task_token, TokenTarget{arn, task.stamp});
    }
    if (task.kind == model::TaskKind::kActivity) {
      ScheduleActivity(arn, task);
      return;
    }
    dispatcher_.Dispatch(
        task, [this, arn, submitted = task.wait_for_task_token](model::Input task_input) {
          // `.waitForTaskToken`: the call's response only submits the task; SendTask* ends it.
          if (submitted && task_input.kind == model::InputKind::kTaskSucceeded) {
            task_input.kind = model::InputKind::kTaskSubmitted;
          }
          PostInput(arn, std::move(task_input));
        });
  }

  // An activity task goes to the broker (a parked poll gets it at once); an activity that does
  // not exist fails the task (ActivityScheduleFailed).
  void ScheduleActivity(const std::string& arn, const model::OutboundTask& task) {
    if (!store_.GetCatalogEntry(store::kActivityCatalog, task.resource)) {
      model::Input failed;
      failed.kind = model::InputKind::kTaskScheduleFailed;
      failed.stamp = task.stamp;
      failed.error = "States.Runtime";
      failed.cause = "The activity " + task.resource + " does not exist.";
      PostInput(arn, std::move(failed));
      return;
    }
    owner_.activities_->Enqueue(
        task.resource,
        ActivityTask{task.task_token, json::CompactText(task.parameters), arn, task.stamp});
  }

  static bool ActivityStarted(const LiveExecution& live, uint64_t stamp) {
    for (const model::Frame& frame : live.snapshot.frames) {
      if (frame.phase == model::FramePhase::kWaitTask && frame.stamp == stamp) {
        return frame.task_started;
      }
    }
    return false;
  }

  void ProcessStop(Work& work) {
    auto it = live_.find(work.arn);
    if (it == live_.end()) {
      it = LoadOnDemand(work.arn);  // asleep beyond the look-ahead, or not running at all
    }
    if (it == live_.end()) {
      work.stop_done(std::nullopt);
      return;
    }
    stop_waiters_.emplace(work.arn, std::move(work.stop_done));
    Deliver(it, std::move(work.input));
  }

  // Loads the terminal snapshot of an ended execution and applies a kRedrive input to it. The
  // lane is the only writer of its executions, so the checks made here still hold when the
  // redrive commits.
  void ProcessRedrive(Work& work) {
    if (auto ended = live_.find(work.arn);
        ended != live_.end() && ended->second.snapshot.status != model::ExecutionStatus::kRunning) {
      // Its end is committed (DescribeExecution may show it) but not yet processed here: the
      // redrive is posted again once the lane has let the execution go (RunEffects).
      parked_redrives_[work.arn].push_back(std::move(work));
      return;
    }
    if (live_.contains(work.arn)) {
      // Running: only a repeat of a redrive request (same clientToken) is answered, with that
      // redrive (its commit may still be in flight).
      auto waiter = redrive_waiters_.find(work.arn);
      if (waiter != redrive_waiters_.end() && !work.client_token.empty() &&
          waiter->second.client_token == work.client_token) {
        waiter->second.done.push_back(std::move(work.redrive_done));
        return;
      }
      auto record = store_.GetExecution(work.arn);
      if (record) {
        if (auto repeated = RepeatedRedrive(*record, work.client_token, clock_.Now())) {
          work.redrive_done(*repeated);
          return;
        }
      }
      work.redrive_done(
          base::Err(base::Status::Conflict("Execution is RUNNING and cannot be redriven")));
      return;
    }
    auto state = store_.LoadExecutionState(work.arn);
    if (!state) {
      work.redrive_done(base::Err(state.error()));
      return;
    }
    const store::ExecutionRecord& record = state->record;
    const base::Timestamp now = clock_.Now();
    if (auto repeated = RepeatedRedrive(record, work.client_token, now)) {
      work.redrive_done(*repeated);  // the same request again: its redrive, not a new one
      return;
    }
    model::ExecutionSnapshot snapshot;
    if (state->snapshot) {
      auto parsed = json::Parse(*state->snapshot);
      auto restored = parsed ? model::ExecutionSnapshot::FromJson(*parsed)
                             : base::Result<model::ExecutionSnapshot>(
                                   base::Err(base::Status::Corruption(parsed.error().message())));
      if (!restored) {
        work.redrive_done(base::Err(base::Status::Internal(
            "the stored state of the execution is unreadable: " + restored.error().message())));
        return;
      }
      snapshot = std::move(*restored);
    }
    const bool machine_exists = store_.GetStateMachine(record.state_machine_arn).has_value();
    if (auto blocker = RedriveBlocker(record, snapshot.next_event_id - 1, machine_exists, now)) {
      work.redrive_done(base::Err(base::Status::Conflict(*blocker)));
      return;
    }
    auto revision = store_.GetRevision(record.revision_id);
    if (!revision) {
      work.redrive_done(base::Err(revision.error()));
      return;
    }
    auto model =
        models_.GetOrLoad((*revision)->revision_id, (*revision)->definition, (*revision)->type);
    if (!model) {
      work.redrive_done(base::Err(model.error()));
      return;
    }
    LiveExecution live;
    live.model = std::move(*model);
    live.persist = true;
    live.log = LogSettingsOf((*revision)->logging_configuration);
    live.version = record.version;
    live.snapshot = std::move(snapshot);
    auto it = live_.emplace(work.arn, std::move(live)).first;
    UpdateLiveCount();
    RedriveWaiter& waiter = redrive_waiters_[work.arn];
    waiter.done.push_back(std::move(work.redrive_done));
    waiter.client_token = work.client_token;
    model::Input redrive;
    redrive.kind = model::InputKind::kRedrive;
    Deliver(it, std::move(redrive));
  }

  // The redrive request whose step is being committed, and its repeats (same clientToken).
  struct RedriveWaiter {
    std::vector<Runtime::RedriveDone> done;
    std::string client_token;
  };

  void CompleteRedriveWaiter(const std::string& arn, const base::Result<base::Timestamp>& result) {
    auto waiter = redrive_waiters_.find(arn);
    if (waiter == redrive_waiters_.end()) {
      return;
    }
    std::vector<Runtime::RedriveDone> done = std::move(waiter->second.done);
    redrive_waiters_.erase(waiter);
    for (auto& callback : done) {
      callback(result);
    }
  }

  // AWS ends an Express execution that outlives 5 minutes with States.Timeout; Express keeps
  // no history, so the lane ends it without an engine step.
  void ProcessDeadline(Work& work) {
    auto it = live_.find(work.arn);
    if (it == live_.end()) {
      return;
    }
    model::Terminal terminal;
    terminal.status = model::ExecutionStatus::kTimedOut;
    terminal.error = "States.Timeout";
    terminal.has_error = true;
    auto on_end = std::move(it->second.on_end);
    live_.erase(it);
    UpdateLiveCount();
    if (on_end) {
      on_end(ToResult(terminal, clock_.Now()));
    }
  }

  // Applies `input` now, or (a persisted execution with a commit in flight) once that commit is
  // answered; then applies the inputs that waited meanwhile.
  void Deliver(LiveIt it, model::Input input) {
    LiveExecution& live = it->second;
    if (!live.persist) {
      Step(it, std::move(input));  // may end and erase the execution
      return;
    }
    if (input.kind == model::InputKind::kTimerFired && input.stamp != 0) {
      std::erase(live.armed, input.stamp);
    }
    if (live.committing) {
      live.waiting.push_back(std::move(input));
      return;
    }
    Step(it, std::move(input));  // a persisted execution stays until its last commit is answered
    DrainWaiting(it);
    MaybeEvict(it);
  }

  // Drops from memory an execution that only sleeps on timers beyond the look-ahead horizon
  // (its snapshot and timers are rows); a loaded timer or a stop brings it back.
  void MaybeEvict(LiveIt it) {
    const LiveExecution& live = it->second;
    if (!live.persist || live.committing || !live.waiting.empty() || !live.armed.empty() ||
        live.on_end || stop_waiters_.contains(it->first) ||
        horizon_millis_.load() == std::numeric_limits<int64_t>::max()) {
      return;
    }
    for (const model::Frame& frame : live.snapshot.frames) {
      switch (frame.phase) {
        case model::FramePhase::kWaitTimer:
        case model::FramePhase::kRetryBackoff:
        case model::FramePhase::kWaitChildren:
        case model::FramePhase::kDone:
        case model::FramePhase::kFailed:
        case model::FramePhase::kFree:
          continue;
        default:
          return;  // runnable, or waiting for something that answers only a live execution
      }
    }
    live_.erase(it);
    UpdateLiveCount();
  }

  // Brings back an execution that left memory (MaybeEvict); live_.end() when it is not running.
  LiveIt LoadOnDemand(const std::string& arn) {
    auto loaded = LoadForResume(store_, models_, arn);
    if (!loaded) {
      if (!loaded.error().IsNotFound()) {
        std::cerr << "flowstate: cannot load " << arn << ": " << loaded.error().ToString() << "\n";
      }
      return live_.end();
    }
    if (!loaded->resumption || loaded->resumption->start) {
      return live_.end();  // ended, or never stepped (then Recover or its start owns it)
    }
    // Its timers are rows the look-ahead arms; an evicted execution had no task in flight.
    auto it = live_.emplace(arn, std::move(loaded->resumption->live)).first;
    UpdateLiveCount();
    return it;
  }

  void DrainWaiting(LiveIt it) {
    LiveExecution& live = it->second;
    while (!live.committing && !live.waiting.empty()) {
      model::Input next = std::move(live.waiting.front());
      live.waiting.pop_front();
      Step(it, std::move(next));
    }
  }

  void Step(LiveIt it, model::Input input) {
    const base::Timestamp now = clock_.Now();
    engine::AdvanceOptions options;
    // Memory-only executions keep no history (AWS gives Express none): none is built unless
    // they are logged.
    options.record_history = it->second.persist || it->second.log != nullptr;
    if (it->second.persist) {
      options.max_history_events = kMaxHistoryEvents;  // Standard's quota; Express has none
    }
    options.wait_time_scale = wait_time_scale_;
    options.new_task_token = &TaskTokenRegistry::NewToken;
    // A durable step keeps its input to re-apply if the commit fails (Reload); a memory-only
    // one hands it over.
    engine::Outcome outcome = it->second.persist
                                  ? engine::Advance(*it->second.model, it->second.snapshot,
                                                    model::Input(input), now, rng_, options)
                                  : engine::Advance(*it->second.model, it->second.snapshot,
                                                    std::move(input), now, rng_, options);
    Effects effects = EffectsOf(outcome, now);
    if (input.kind == model::InputKind::kRedrive) {
      if (!outcome.redriven) {  // the engine found nothing to redrive (checked before: a bug)
        CompleteRedriveWaiter(
            it->first, base::Err(base::Status::Conflict("Execution is not in a redrivable state")));
        live_.erase(it);
        UpdateLiveCount();
        return;
      }
      auto waiter = redrive_waiters_.find(it->first);
      effects.reopen = store::ExecutionReopen{
          it->second.snapshot.info.redrive_count, now,
          waiter != redrive_waiters_.end() ? waiter->second.client_token : std::string()};
    }
    if (!it->second.persist) {
      effects.log_events = std::move(outcome.events);
      RunEffects(it, effects);  // nothing to commit: the effects run at once
      return;
    }
    if (IsNoOp(input, outcome)) {
      if (AnswersStamp(input)) {
        it->second.answered.push_back(input.stamp);
      }
      return;
    }
    if (it->second.log != nullptr) {
      effects.log_events = outcome.events;  // the Transition keeps its own
    }
    const bool answers = AnswersStamp(input);
    const uint64_t stamp = input.stamp;
    effects.reapply = std::move(input);
    Commit(it, answers ? stamp : 0, std::move(outcome.events), std::move(effects));
  }

  static Effects EffectsOf(engine::Outcome& outcome, base::Timestamp now) {
    Effects effects;
    effects.timers = std::move(outcome.timers);
    effects.tasks = std::move(outcome.tasks);
    effects.closed_tokens = std::move(outcome.closed_tokens);
    effects.more_work = outcome.more_work && !outcome.terminal;
    if (outcome.terminal) {
      effects.result = ToResult(*outcome.terminal, now);
    }
    return effects;
  }

  // Turns the step into one Transition (committed with the rest of the inbox batch, see
  // FlushCommits); its effects wait for the answer
  // (ProcessCommitted), as do the execution's next inputs.
  void Commit(LiveIt it, uint64_t answered_stamp, std::vector<model::HistoryEvent> events,
              Effects effects) {
    LiveExecution& live = it->second;
    store::Transition transition;
    transition.execution_arn = it->first;
    transition.expected_version = live.version;
    transition.events = std::move(events);
    transition.reopen = effects.reopen;
    // Kept at the end too: a redrive continues from the terminal snapshot.
    transition.snapshot = json::Dump(live.snapshot.ToJson());
    for (const model::TokenClosed& closed : effects.closed_tokens) {
      transition.ended_tokens.push_back(store::EndedToken{closed.token, closed.timed_out});
    }
    if (effects.result) {
      const ExecutionResult& result = *effects.result;
      transition.close = store::ExecutionClose{result.status, result.output, result.error,
                                               result.cause, result.stop_date};
      // Tokens still awaited when the execution ended (it timed out) end with it.
      for (const model::Frame& frame : live.snapshot.frames) {
        if (frame.phase == model::FramePhase::kWaitTask && !frame.task_token.empty()) {
          transition.ended_tokens.push_back(store::EndedToken{frame.task_token, false});
        }
      }
    } else {
      transition.timers.reserve(effects.timers.size());
      for (const model::TimerRequest& timer : effects.timers) {
        transition.timers.push_back(store::TimerRow{timer.stamp, timer.fire_at});
      }
      transition.outbox.reserve(effects.tasks.size());
      for (const model::OutboundTask& task : effects.tasks) {
        transition.outbox.push_back(
            store::OutboxRow{task.stamp, task.KindText(), json::Dump(task.ToJson())});
      }
    }
    transition.answered = std::move(live.answered);
    live.answered.clear();
    if (answered_stamp != 0) {
      transition.answered.push_back(answered_stamp);
    }
    live.committing = true;
    auto committed = std::make_shared<Committed>();
    committed->effects = std::move(effects);
    outgoing_.push_back(std::move(transition));
    outgoing_waiters_.emplace_back(it->first, std::move(committed));
  }

  // Hands every Transition the last inbox batch produced to the store as one Commit: one queue
  // entry and one savepoint for all of them instead of one each. The store answers each
  // Transition on its own (a failure of the batch as a whole reloads each execution in it).
  void FlushCommits() {
    if (outgoing_.empty()) {
      return;
    }
    auto waiters =
        std::make_shared<std::vector<std::pair<std::string, std::shared_ptr<Committed>>>>(
            std::move(outgoing_waiters_));
    outgoing_waiters_.clear();
    std::vector<store::Transition> batch = std::move(outgoing_);
    outgoing_.clear();
    store_.Commit(std::move(batch), [inbox = inbox_, waiters](
                                        base::Result<std::vector<store::CommitResult>> outcome) {
      for (size_t i = 0; i < waiters->size(); ++i) {
        auto& [arn, committed] = (*waiters)[i];
        if (!outcome) {
          committed->outcome = base::Err(outcome.error());
        } else if (i < outcome->size()) {
          committed->outcome = std::vector<store::CommitResult>{(*outcome)[i]};
        } else {
          committed->outcome = base::Err(base::Status::Internal("store answered too few results"));
        }
        Work work;
        work.kind = WorkKind::kCommitted;
        work.arn = std::move(arn);
        work.committed = std::move(committed);
        inbox->Post(std::move(work));
      }
    });
  }

  void ProcessCommitted(Work& work) {
    auto it = live_.find(work.arn);
    if (it == live_.end()) {
      return;
    }
    LiveExecution& live = it->second;
    Committed& committed = *work.committed;
    const bool ok = committed.outcome && committed.outcome->size() == 1 &&
                    committed.outcome->front() == store::CommitResult::kOk;
    if (ok) {
      if (!commit_failures_.empty()) commit_failures_.erase(work.arn);
    } else if (!committed.backed_off) {
      // A store that keeps failing (a full disk, a broken database) would otherwise see the
      // reload re-apply the step at once, a due timer fire again, and the lane spin. The
      // execution stays `committing` meanwhile, so its inputs wait.
      const auto delay = CommitBackoff(++commit_failures_[work.arn]);
      if (delay.count() > 0) {
        committed.backed_off = true;
        timers_.Arm(clock_.Now() + delay, [this, arn = work.arn, held = work.committed] {
          Work again;
          again.kind = WorkKind::kCommitted;
          again.arn = arn;
          again.committed = held;
          Post(std::move(again));
        });
        return;
      }
    }
    live.committing = false;
    if (committed.effects.reopen) {
      if (ok) {
        CompleteRedriveWaiter(work.arn, committed.effects.reopen->redrive_date);
      } else {
        CompleteRedriveWaiter(
            work.arn,
            base::Err(base::Status::Unavailable("the redrive could not be stored; try again")));
        committed.effects.reapply.reset();  // the caller retries (with the same clientToken)
      }
    }
    if (!ok) {
      // Outcome unknown, or the store's version is not ours: never guess, reload
      // (ARCHITECTURE.md §1, principle 10).
      std::cerr << "flowstate: commit of " << work.arn << " "
                << (committed.outcome ? "was rejected (version conflict or unknown execution)"
                                      : "failed: " + committed.outcome.error().ToString())
                << "; reloading it from the store\n";
      Reload(it, std::move(committed.effects.reapply));
      return;
    }
    live.version++;
    const bool ended = RunEffects(it, committed.effects);
    // After the effects, so a watcher also sees the task tokens they registered.
    owner_.feed().Publish(work.arn);
    if (ended) {
      return;
    }
    DrainWaiting(it);
    MaybeEvict(it);
  }

  // Replaces the lane's copy of an execution with the store's. What the lost step asked for is
  // either committed (then its rows are there: timers re-armed, tasks dispatched again) or not
  // (then the input that caused it comes back: a timer or task from its row, anything else
  // through `reapply`).
  void Reload(LiveIt it, std::optional<model::Input> reapply) {
    const std::string arn = it->first;
    std::deque<model::Input> waiting = std::move(it->second.waiting);
    auto on_end = std::move(it->second.on_end);
    live_.erase(it);
    UpdateLiveCount();
    PostParkedRedrives(arn);  // answered after this reload, from what it finds
    auto loaded = LoadForResume(store_, models_, arn);
    if (!loaded) {
      std::cerr << "flowstate: cannot reload " << arn << ": " << loaded.error().ToString()
                << "; it stays as stored until the next restart\n";
      CompleteStopWaiters(arn, std::nullopt);
      return;
    }
    if (!loaded->resumption) {  // the step that ended it did commit
      owner_.tokens_.CloseExecution(arn);
      const ExecutionResult result = ToResult(loaded->record);
      if (on_end) {
        on_end(result);
      }
      CompleteStopWaiters(arn, result.stop_date);
      return;
    }
    Resumption& resumption = *loaded->resumption;
    resumption.live.on_end = std::move(on_end);
    if (reapply && reapply->kind == model::InputKind::kStart) {
      if (resumption.start) {
        resumption.start = std::move(*reapply);  // the caller's own start (same info and input)
      }
    } else if (reapply && reapply->kind != model::InputKind::kTimerFired) {
      waiting.push_front(std::move(*reapply));  // a timer comes back from its row
    }
    Resume(arn, std::move(resumption), std::move(waiting));
  }

  void CompleteStopWaiters(const std::string& arn, std::optional<base::Timestamp> stop_date) {
    auto range = stop_waiters_.equal_range(arn);
    std::vector<Runtime::StopDone> stopped;
    for (auto waiter = range.first; waiter != range.second; ++waiter) {
      stopped.push_back(std::move(waiter->second));
    }
    stop_waiters_.erase(range.first, range.second);
    for (auto& done : stopped) {
      done(stop_date);
    }
  }

  // Carries out a (committed) step's effects. Returns true when the execution ended (and was
  // erased).
  bool RunEffects(LiveIt it, Effects& effects) {
    const std::string arn = it->first;
    if (owner_.log_writer_ != nullptr && it->second.log != nullptr && !effects.log_events.empty()) {
      owner_.log_writer_->Write(*it->second.log, effects.log_events, arn,
                                it->second.snapshot.info.redrive_count);
    }
    for (const auto& closed : effects.closed_tokens) {
      owner_.tokens_.Close(closed.token, closed.timed_out);
    }
    for (const auto& timer : effects.timers) {
      ArmTimer(it, timer.fire_at, timer.stamp);
    }
    for (const auto& task : effects.tasks) {
      DispatchTask(arn, task);
    }
    if (effects.more_work && !effects.result) {
      PostInput(arn, ContinueInput());
    }
    if (!effects.result) {
      return false;
    }
    owner_.tokens_.CloseExecution(arn);
    auto on_end = std::move(it->second.on_end);
    live_.erase(it);
    UpdateLiveCount();
    if (on_end) {
      on_end(*effects.result);
    }
    CompleteStopWaiters(arn, effects.result->stop_date);
    PostParkedRedrives(arn);
    return true;
  }

  void PostParkedRedrives(const std::string& arn) {
    auto parked = parked_redrives_.find(arn);
    if (parked == parked_redrives_.end()) {
      return;
    }
    std::vector<Work> works = std::move(parked->second);
    parked_redrives_.erase(parked);
    for (Work& work : works) {
      owner_.Redrive(work.arn, std::move(work.client_token), std::move(work.redrive_done));
    }
  }

  Runtime& owner_;
  store::Store& store_;
  const base::Clock& clock_;
  TaskDispatcher& dispatcher_;
  TimerService& timers_;
  ModelCache& models_;
  const std::atomic<int64_t>& horizon_millis_;
  base::Rng rng_;
  const double wait_time_scale_;
  std::shared_ptr<Inbox> inbox_;

  // Owned by the lane thread.
  std::unordered_map<std::string, LiveExecution> live_;
  // Per execution, its commits that failed in a row (CommitBackoff); none once one succeeds.
  std::unordered_map<std::string, int> commit_failures_;
  // Transitions of the inbox batch being processed, committed together when it is done.
  std::vector<store::Transition> outgoing_;
  std::vector<std::pair<std::string, std::shared_ptr<Committed>>> outgoing_waiters_;
  std::unordered_multimap<std::string, Runtime::StopDone> stop_waiters_;
  std::unordered_map<std::string, RedriveWaiter> redrive_waiters_;
  // Redrive requests that came while the execution's end was being processed (ProcessRedrive).
  std::unordered_map<std::string, std::vector<Work>> parked_redrives_;
  std::atomic<size_t> live_count_{0};

  std::thread thread_;
};

Runtime::Runtime(const RuntimeOptions& options, store::Store& store, const base::Clock& clock,
                 TaskDispatcher& dispatcher, TimerService& timers)
    : store_(store),
      clock_(clock),
      timers_(timers),
      look_ahead_(options.timer_look_ahead),
      wait_time_scale_(options.wait_time_scale),
      log_writer_(options.log_writer) {
  activities_ = std::make_unique<ActivityBroker>(
      options.activities, timers, clock,
      [this](const ActivityTask& task) {
        TokenTarget target;
        return tokens_.Lookup(task.token, /*answer=*/false, &target) == TokenStatus::kPending;
      },
      [this](const ActivityTask& task, const std::string& worker_name) {
        model::Input started;
        started.kind = model::InputKind::kActivityStarted;
        started.stamp = task.stamp;
        started.worker_name = worker_name;
        LaneFor(task.execution_arn).PostInput(task.execution_arn, std::move(started));
      });
  int lanes =
      options.lanes > 0 ? options.lanes : static_cast<int>(std::thread::hardware_concurrency());
  lanes = std::max(lanes, 1);
  const uint64_t seed = options.seed != 0 ? options.seed : base::SecureRandom64();
  for (int i = 0; i < lanes; ++i) {
    lanes_.push_back(std::make_unique<Lane>(
        *this, store, clock, dispatcher, timers, models_, horizon_millis_,
        seed + static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL, options.wait_time_scale));
  }
}

Runtime::~Runtime() { Shutdown(); }

Runtime::Lane& Runtime::LaneFor(const std::string& execution_arn) {
  return *lanes_[std::hash<std::string>{}(execution_arn) % lanes_.size()];
}

void Runtime::Start(StartRequest request) {
  if (!request.persist) {
    StartInline(std::move(request));
    return;
  }
  Work work;
  work.kind = WorkKind::kStart;
  work.arn = request.info.execution_arn;
  work.start = std::make_unique<StartRequest>(std::move(request));
  LaneFor(work.arn).Post(std::move(work));
}

// A memory-only execution is unknown to everyone but its starter until Start returns, so its
// first step can run right here, sparing two thread hand-offs per Express execution. Most end in
// that step; the others go to their lane, which sees the adoption before any of their inputs.
void Runtime::StartInline(StartRequest request) {
  thread_local base::Rng rng(base::SecureRandom64());
  LiveExecution live;
  live.model = std::move(request.model);
  live.persist = false;
  live.log = std::move(request.log);
  live.on_end = std::move(request.on_end);
  model::Input start;
  start.kind = model::InputKind::kStart;
  start.info = std::move(request.info);
  start.payload = std::move(request.input);
  const std::string arn = start.info.execution_arn;
  engine::AdvanceOptions options;
  options.step_budget = kInlineStepBudget;
  options.record_history = live.log != nullptr;  // memory-only: only its log reads history
  options.wait_time_scale = wait_time_scale_;
  const base::Timestamp now = clock_.Now();
  engine::Outcome outcome =
      engine::Advance(*live.model, live.snapshot, std::move(start), now, rng, options);
  if (outcome.terminal) {
    if (log_writer_ != nullptr && live.log != nullptr) {
      log_writer_->Write(*live.log, outcome.events, arn, live.snapshot.info.redrive_count);
    }
    if (live.on_end) {
      live.on_end(ToResult(*outcome.terminal, now));
    }
    return;  // a memory-only execution that ended asked for nothing else worth doing
  }
  auto adoption = std::make_unique<Adoption>();
  adoption->live = std::move(live);
  adoption->outcome = std::move(outcome);
  adoption->stepped_at = now;
  adoption->deadline = request.deadline;
  Work work;
  work.kind = WorkKind::kAdopt;
  work.arn = arn;
  work.adoption = std::move(adoption);
  LaneFor(arn).Post(std::move(work));
}

void Runtime::Stop(const std::string& execution_arn, std::string error, std::string cause,
                   StopDone done) {
  Work work;
  work.kind = WorkKind::kStop;
  work.arn = execution_arn;
  work.input.kind = model::InputKind::kStop;
  work.input.error = std::move(error);
  work.input.cause = std::move(cause);
  work.stop_done = std::move(done);
  LaneFor(execution_arn).Post(std::move(work));
}

void Runtime::Redrive(const std::string& execution_arn, std::string client_token,
                      RedriveDone done) {
  Work work;
  work.kind = WorkKind::kRedrive;
  work.arn = execution_arn;
  work.client_token = std::move(client_token);
  work.redrive_done = std::move(done);
  LaneFor(execution_arn).Post(std::move(work));
}

base::Result<size_t> Runtime::Recover() {
  if (look_ahead_.count() > 0) {
    // From here on, persisted timers beyond the horizon wait as rows (ScanTimers).
    horizon_millis_.store(base::ToUnixMillis(clock_.Now() + look_ahead_));
    timers_.Arm(clock_.Now() + look_ahead_ / 2, [this] { ScanTimers(); });
  }
  auto running = store_.RunningExecutions();
  if (!running) {
    return base::Err(running.error());
  }
  size_t resumed = 0;
  for (const store::ExecutionRecord& record : *running) {
    auto loaded = LoadForResume(store_, models_, record.arn);
    if (!loaded) {
      std::cerr << "flowstate: cannot resume " << record.arn << ": " << loaded.error().ToString()
                << "\n";
      continue;
    }
    if (!loaded->resumption) {
      continue;  // ended between the two reads
    }
    Work work;
    work.kind = WorkKind::kResume;
    work.arn = record.arn;
    work.resumption = std::move(loaded->resumption);
    LaneFor(work.arn).Post(std::move(work));
    ++resumed;
  }
  return resumed;
}

void Runtime::ScanTimers() {
  const base::Timestamp now = clock_.Now();
  const int64_t from_millis = horizon_millis_.load();
  const base::Timestamp until = now + look_ahead_;
  if (base::ToUnixMillis(until) > from_millis) {
    // The horizon moves before the query: a timer committed meanwhile is either armed by its
    // lane (due before the new horizon) or found here, never neither (at worst both: the
    // second fire is stale and changes nothing).
    horizon_millis_.store(base::ToUnixMillis(until));
    auto due = store_.TimersDue(base::FromUnixMillis(from_millis), until);
    if (!due) {
      std::cerr << "flowstate: loading due timers failed: " << due.error().ToString()
                << "; retrying at the next scan\n";
      horizon_millis_.store(from_millis);
    } else {
      for (store::DueTimer& timer : *due) {
        timers_.Arm(timer.fire_at,
                    [this, arn = std::move(timer.execution_arn), stamp = timer.stamp] {
                      Work work;
                      work.kind = WorkKind::kLoadedTimer;
                      work.arn = arn;
                      work.input.kind = model::InputKind::kTimerFired;
                      work.input.stamp = stamp;
                      LaneFor(arn).Post(std::move(work));
                    });
      }
    }
  }
  timers_.Arm(now + look_ahead_ / 2, [this] { ScanTimers(); });
}

TokenStatus Runtime::AnswerTask(const std::string& token, model::Input answer) {
  TokenTarget target;
  const TokenStatus status =
      tokens_.Lookup(token, answer.kind != model::InputKind::kHeartbeat, &target);
  if (status == TokenStatus::kPending) {
    answer.stamp = target.stamp;
    LaneFor(target.execution_arn).PostInput(target.execution_arn, std::move(answer));
    return status;
  }
  if (status == TokenStatus::kUnknown) {
    // Ended before this process started (or forgotten since): the store remembers how.
    auto ended = store_.LookupEndedToken(token);
    if (ended && *ended != store::EndedTokenStatus::kUnknown) {
      return *ended == store::EndedTokenStatus::kTimedOut ? TokenStatus::kTimedOut
                                                          : TokenStatus::kFinished;
    }
  }
  return status;
}

void Runtime::Shutdown() {
  activities_->Shutdown();  // parked polls answer now, while their connections exist
  for (auto& lane : lanes_) {
    lane->Shutdown();
  }
}

size_t Runtime::LiveExecutionsForTesting() const {
  size_t total = 0;
  for (const auto& lane : lanes_) {
    total += lane->live_count();
  }
  return total;
}

}  // namespace flowstate::runtime

#include "runtime/runtime.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/rng.h"
#include "engine/advance.h"
#include "model/execution_snapshot.h"
#include "runtime/task_dispatcher.h"
#include "runtime/timer_service.h"
#include "store/store.h"

namespace flowstate::runtime {
namespace {

enum class WorkKind { kStart, kAdopt, kInput, kStop, kDeadline };

// An execution held by its lane between steps.
struct LiveExecution {
  ModelPtr model;
  model::ExecutionSnapshot snapshot;
  bool persist = true;
  int64_t version = 0;  // committed transitions
  std::function<void(const ExecutionResult&)> on_end;
};

// An Express execution whose first step ran on the caller's thread and did not end there: its
// lane takes it over and carries out what that step asked for.
struct Adoption {
  LiveExecution live;
  engine::Outcome outcome;
  base::Timestamp stepped_at{};
  std::optional<base::Timestamp> deadline;
};

struct Work {
  WorkKind kind = WorkKind::kInput;
  std::string arn;
  model::Input input;
  std::unique_ptr<StartRequest> start;  // kStart
  std::unique_ptr<Adoption> adoption;   // kAdopt
  Runtime::StopDone stop_done;          // kStop
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

}  // namespace

// One lane: an inbox (many producers), one thread, and the executions it owns. All engine work
// for an execution happens on its lane thread, so LiveExecution needs no lock.
class Runtime::Lane {
 public:
  Lane(store::Store& store, const base::Clock& clock, TaskDispatcher& dispatcher,
       TimerService& timers, TransitionFeed& feed, uint64_t seed)
      : store_(store),
        clock_(clock),
        dispatcher_(dispatcher),
        timers_(timers),
        feed_(feed),
        rng_(seed) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Lane() { Shutdown(); }

  void Post(Work work) {
    bool wake = false;
    {
      std::lock_guard lock(mu_);
      if (stopping_) {
        return;
      }
      inbox_.push_back(std::move(work));
      wake = idle_;
    }
    if (wake) {
      cv_.notify_one();
    }
  }

  void PostInput(const std::string& arn, model::Input input) {
    Work work;
    work.kind = WorkKind::kInput;
    work.arn = arn;
    work.input = std::move(input);
    Post(std::move(work));
  }

  void Shutdown() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  size_t live_count() const { return live_count_.load(); }

 private:
  void Loop() {
    std::deque<Work> batch;
    while (true) {
      {
        std::unique_lock lock(mu_);
        idle_ = true;
        cv_.wait(lock, [this] { return stopping_ || !inbox_.empty(); });
        idle_ = false;
        if (stopping_) {
          return;
        }
        batch.swap(inbox_);
      }
      for (auto& work : batch) {
        Process(work);
      }
      batch.clear();
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
      case WorkKind::kInput: {
        auto it = live_.find(work.arn);
        if (it != live_.end()) {  // else: the execution ended; a late timer or task result
          Step(it, work.input);
        }
        return;
      }
      case WorkKind::kStop:
        ProcessStop(work);
        return;
      case WorkKind::kDeadline:
        ProcessDeadline(work);
        return;
    }
  }

  void ProcessStart(Work& work) {
    StartRequest& request = *work.start;
    LiveExecution live;
    live.model = std::move(request.model);
    live.persist = request.persist;
    live.on_end = std::move(request.on_end);
    auto [it, inserted] = live_.emplace(work.arn, std::move(live));
    if (!inserted) {
      return;  // an idempotent repeat reached the lane twice
    }
    live_count_.store(live_.size());
    model::Input start;
    start.kind = model::InputKind::kStart;
    start.info = std::move(request.info);
    start.payload = std::move(request.input);
    const std::string arn = work.arn;
    Step(it, start);
    ArmDeadline(arn, request.deadline);
  }

  void ProcessAdopt(Work& work) {
    Adoption& adoption = *work.adoption;
    auto [it, inserted] = live_.emplace(work.arn, std::move(adoption.live));
    if (!inserted) {
      return;
    }
    live_count_.store(live_.size());
    const std::string arn = work.arn;
    Finish(it, adoption.outcome, adoption.stepped_at);
    ArmDeadline(arn, adoption.deadline);
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

  void ProcessStop(Work& work) {
    auto it = live_.find(work.arn);
    if (it == live_.end()) {
      work.stop_done(std::nullopt);
      return;
    }
    stop_waiters_.emplace(work.arn, std::move(work.stop_done));
    Step(it, work.input);
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
    live_count_.store(live_.size());
    if (on_end) {
      on_end(ToResult(terminal, clock_.Now()));
    }
  }

  using LiveIt = std::unordered_map<std::string, LiveExecution>::iterator;

  void Step(LiveIt it, const model::Input& input) {
    const base::Timestamp now = clock_.Now();
    engine::AdvanceOptions options;
    // Memory-only executions keep no history (AWS gives Express none), so none is built.
    options.record_history = it->second.persist;
    engine::Outcome outcome =
        engine::Advance(*it->second.model, it->second.snapshot, input, now, rng_, options);
    Finish(it, outcome, now);
  }

  // Commits what a step produced and carries out its effects.
  void Finish(LiveIt it, engine::Outcome& outcome, base::Timestamp now) {
    LiveExecution& live = it->second;
    const std::string& arn = it->first;

    std::vector<Runtime::StopDone> stopped;
    std::function<void(const ExecutionResult&)> on_end;
    std::optional<ExecutionResult> result;
    if (outcome.terminal) {
      result = ToResult(*outcome.terminal, now);
      on_end = std::move(live.on_end);
      auto range = stop_waiters_.equal_range(arn);
      for (auto waiter = range.first; waiter != range.second; ++waiter) {
        stopped.push_back(std::move(waiter->second));
      }
      stop_waiters_.erase(range.first, range.second);
    }
    if (live.persist) {
      Commit(arn, live, outcome, result);
    }
    // Effects run after the commit (principle 2); the memory store commits synchronously.
    for (const auto& timer : outcome.timers) {
      timers_.Arm(timer.fire_at, [this, arn, stamp = timer.stamp] {
        model::Input fired;
        fired.kind = model::InputKind::kTimerFired;
        fired.stamp = stamp;
        PostInput(arn, std::move(fired));
      });
    }
    for (const auto& task : outcome.tasks) {
      dispatcher_.Dispatch(
          task, [this, arn](model::Input task_input) { PostInput(arn, std::move(task_input)); });
    }
    if (outcome.more_work && !outcome.terminal) {
      model::Input resume;
      resume.kind = model::InputKind::kTimerFired;
      resume.stamp = 0;
      PostInput(arn, std::move(resume));
    }
    if (outcome.terminal) {
      const std::string ended_arn = arn;  // `arn` refers into the erased node
      live_.erase(it);
      live_count_.store(live_.size());
      if (on_end) {
        on_end(*result);
      }
      for (auto& done : stopped) {
        done(result->stop_date);
      }
    }
  }

  void Commit(const std::string& arn, LiveExecution& live, engine::Outcome& outcome,
              const std::optional<ExecutionResult>& result) {
    store::Transition transition;
    transition.execution_arn = arn;
    transition.expected_version = live.version++;
    transition.events = std::move(outcome.events);
    if (result) {
      transition.close = store::ExecutionClose{result->status, result->output, result->error,
                                               result->cause, result->stop_date};
    }
    std::vector<store::Transition> batch;
    batch.push_back(std::move(transition));
    store_.Commit(
        std::move(batch), [this, arn](base::Result<std::vector<store::CommitResult>> done) {
          if (done && done->front() == store::CommitResult::kOk) {
            feed_.Publish(arn);
            return;
          }
          // The memory store cannot fail; a durable store's failures need reload-and-retry, which
          // lands with it. Until then, say so loudly rather than silently.
          if (!done) {
            std::cerr << "flowstate: commit of " << arn << " failed: " << done.error().ToString()
                      << "\n";
          } else {
            std::cerr << "flowstate: commit of " << arn << " was rejected (version conflict or "
                      << "unknown execution)\n";
          }
        });
  }

  store::Store& store_;
  const base::Clock& clock_;
  TaskDispatcher& dispatcher_;
  TimerService& timers_;
  TransitionFeed& feed_;
  base::Rng rng_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Work> inbox_;
  bool idle_ = false;
  bool stopping_ = false;

  // Owned by the lane thread.
  std::unordered_map<std::string, LiveExecution> live_;
  std::unordered_multimap<std::string, Runtime::StopDone> stop_waiters_;
  std::atomic<size_t> live_count_{0};

  std::thread thread_;
};

Runtime::Runtime(const RuntimeOptions& options, store::Store& store, const base::Clock& clock,
                 TaskDispatcher& dispatcher, TimerService& timers)
    : clock_(clock) {
  int lanes =
      options.lanes > 0 ? options.lanes : static_cast<int>(std::thread::hardware_concurrency());
  lanes = std::max(lanes, 1);
  const uint64_t seed = options.seed != 0 ? options.seed : base::SecureRandom64();
  for (int i = 0; i < lanes; ++i) {
    lanes_.push_back(
        std::make_unique<Lane>(store, clock, dispatcher, timers, feed_,
                               seed + static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL));
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
  live.on_end = std::move(request.on_end);
  model::Input start;
  start.kind = model::InputKind::kStart;
  start.info = std::move(request.info);
  start.payload = std::move(request.input);
  const std::string arn = start.info.execution_arn;
  engine::AdvanceOptions options;
  options.step_budget = kInlineStepBudget;
  options.record_history = false;  // memory-only: nobody can read its history
  const base::Timestamp now = clock_.Now();
  engine::Outcome outcome = engine::Advance(*live.model, live.snapshot, start, now, rng, options);
  if (outcome.terminal) {
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

void Runtime::Shutdown() {
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

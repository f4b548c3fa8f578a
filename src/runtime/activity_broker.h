// ActivityBroker matches scheduled activity tasks with GetActivityTask long polls
// (ARCHITECTURE.md §10): per activity ARN, a FIFO of ready tasks and a FIFO of parked polls. A
// task scheduled while a poll waits goes straight to it (sync match); a poll that finds no task
// parks (its answer callback is kept; no thread waits) until a task arrives or, after the poll
// time (AWS: 60 s), its timer answers it with no task. Thread-safe; callbacks run outside the
// lock and must not block.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "base/status.h"

namespace flowstate::runtime {

class TimerService;

struct ActivityTask {
  std::string token;
  std::string input;  // JSON text, as GetActivityTask returns it
  std::string execution_arn;
  uint64_t stamp = 0;
};

struct ActivityBrokerOptions {
  std::chrono::milliseconds poll_time{60000};
  size_t max_pollers_per_activity = 1000;  // AWS: ActivityWorkerLimitExceeded beyond
};

class ActivityBroker {
 public:
  // nullopt: the poll ended without a task.
  using PollDone = std::function<void(std::optional<ActivityTask>)>;
  // Whether a queued task is still wanted (its token still pending); stale ones are skipped.
  using StillPending = std::function<bool(const ActivityTask&)>;
  // A worker claimed `task` (runs before the poll is answered).
  using Claimed = std::function<void(const ActivityTask&, const std::string& worker_name)>;

  // REQUIRES: `timers` and `clock` outlive the broker.
  ActivityBroker(const ActivityBrokerOptions& options, TimerService& timers,
                 const base::Clock& clock, StillPending still_pending, Claimed claimed);
  ActivityBroker(const ActivityBroker&) = delete;
  ActivityBroker& operator=(const ActivityBroker&) = delete;

  // Answers `done` now (a task was ready) or parks it. Unavailable (ActivityWorkerLimitExceeded)
  // when the activity already has the maximum of parked polls.
  base::Status Poll(const std::string& activity_arn, const std::string& worker_name, PollDone done);
  void Enqueue(const std::string& activity_arn, ActivityTask task);
  // Answers every parked poll with no task and refuses new ones. Idempotent.
  void Shutdown();

  size_t ParkedForTesting(const std::string& activity_arn) const;
  size_t QueuedForTesting(const std::string& activity_arn) const;

 private:
  struct Poller {
    uint64_t id = 0;
    std::string worker_name;
    PollDone done;
  };
  struct Queue {
    std::deque<ActivityTask> tasks;
    std::deque<Poller> pollers;
  };

  std::optional<ActivityTask> TakeTaskLocked(Queue& queue);
  void Expire(const std::string& activity_arn, uint64_t poller_id);

  const ActivityBrokerOptions options_;
  TimerService& timers_;
  const base::Clock& clock_;
  StillPending still_pending_;
  Claimed claimed_;

  mutable std::mutex mu_;
  std::unordered_map<std::string, Queue> queues_;
  uint64_t next_poller_id_ = 1;
  bool stopping_ = false;
};

}  // namespace flowstate::runtime

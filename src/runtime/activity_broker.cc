#include "runtime/activity_broker.h"

#include <utility>
#include <vector>

#include "runtime/timer_service.h"

namespace flowstate::runtime {

ActivityBroker::ActivityBroker(const ActivityBrokerOptions& options, TimerService& timers,
                               const base::Clock& clock, StillPending still_pending,
                               Claimed claimed)
    : options_(options),
      timers_(timers),
      clock_(clock),
      still_pending_(std::move(still_pending)),
      claimed_(std::move(claimed)) {}

std::optional<ActivityTask> ActivityBroker::TakeTaskLocked(Queue& queue) {
  while (!queue.tasks.empty()) {
    ActivityTask task = std::move(queue.tasks.front());
    queue.tasks.pop_front();
    if (still_pending_(task)) {
      return task;
    }
  }
  return std::nullopt;
}

base::Status ActivityBroker::Poll(const std::string& activity_arn, const std::string& worker_name,
                                  PollDone done) {
  std::optional<ActivityTask> task;
  uint64_t poller_id = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      task = std::nullopt;
    } else {
      Queue& queue = queues_[activity_arn];
      task = TakeTaskLocked(queue);
      if (!task) {
        if (queue.pollers.size() >= options_.max_pollers_per_activity) {
          return base::Status::Unavailable("Activity worker limit exceeded: '" + activity_arn +
                                           "'");
        }
        poller_id = next_poller_id_++;
        queue.pollers.push_back(Poller{poller_id, worker_name, std::move(done)});
      }
    }
  }
  if (poller_id != 0) {
    timers_.Arm(clock_.Now() + options_.poll_time,
                [this, activity_arn, poller_id] { Expire(activity_arn, poller_id); });
    return base::Status::Ok();
  }
  if (task) {
    claimed_(*task, worker_name);
  }
  done(std::move(task));
  return base::Status::Ok();
}

void ActivityBroker::Enqueue(const std::string& activity_arn, ActivityTask task) {
  std::optional<Poller> poller;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      return;
    }
    Queue& queue = queues_[activity_arn];
    if (queue.pollers.empty()) {
      queue.tasks.push_back(std::move(task));
      return;
    }
    poller = std::move(queue.pollers.front());
    queue.pollers.pop_front();
  }
  claimed_(task, poller->worker_name);
  poller->done(std::move(task));
}

void ActivityBroker::Expire(const std::string& activity_arn, uint64_t poller_id) {
  PollDone done;
  {
    std::lock_guard lock(mu_);
    auto queue = queues_.find(activity_arn);
    if (queue == queues_.end()) {
      return;
    }
    auto& pollers = queue->second.pollers;
    for (auto it = pollers.begin(); it != pollers.end(); ++it) {
      if (it->id == poller_id) {
        done = std::move(it->done);
        pollers.erase(it);
        break;
      }
    }
    if (pollers.empty() && queue->second.tasks.empty()) {
      queues_.erase(queue);
    }
  }
  if (done) {
    done(std::nullopt);  // AWS: an empty answer (no taskToken) after the poll time
  }
}

void ActivityBroker::Shutdown() {
  std::vector<PollDone> parked;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [arn, queue] : queues_) {
      for (auto& poller : queue.pollers) {
        parked.push_back(std::move(poller.done));
      }
      queue.pollers.clear();
    }
  }
  for (auto& done : parked) {
    done(std::nullopt);
  }
}

size_t ActivityBroker::ParkedForTesting(const std::string& activity_arn) const {
  std::lock_guard lock(mu_);
  auto queue = queues_.find(activity_arn);
  return queue == queues_.end() ? 0 : queue->second.pollers.size();
}

size_t ActivityBroker::QueuedForTesting(const std::string& activity_arn) const {
  std::lock_guard lock(mu_);
  auto queue = queues_.find(activity_arn);
  return queue == queues_.end() ? 0 : queue->second.tasks.size();
}

}  // namespace flowstate::runtime

#include "runtime/timer_service.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace flowstate::runtime {
namespace {

// The thread re-reads the clock at least this often, so a clock that jumps (or a test clock that
// is moved) is noticed without an explicit wake-up.
constexpr std::chrono::milliseconds kMaxSleep{500};

}  // namespace

TimerService::~TimerService() { Stop(); }

void TimerService::Arm(base::Timestamp fire_at, std::function<void()> fire) {
  bool earliest = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      return;
    }
    earliest = heap_.empty() || fire_at < heap_.top().fire_at;
    heap_.push(Entry{fire_at, next_sequence_++, std::move(fire)});
  }
  if (earliest) {
    wake_.notify_one();
  }
}

void TimerService::StartThread() {
  std::lock_guard lock(mu_);
  if (!thread_.joinable() && !stopping_) {
    thread_ = std::thread([this] { ThreadMain(); });
  }
}

void TimerService::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    heap_ = {};
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
  }
}

size_t TimerService::RunDue() {
  std::vector<std::function<void()>> due;
  {
    std::lock_guard lock(mu_);
    const base::Timestamp now = clock_.Now();
    while (!heap_.empty() && heap_.top().fire_at <= now) {
      // priority_queue::top is const; the entry is popped right after, so moving is safe.
      due.push_back(std::move(const_cast<Entry&>(heap_.top()).fire));
      heap_.pop();
    }
  }
  for (auto& fire : due) {
    fire();
  }
  return due.size();
}

size_t TimerService::pending() const {
  std::lock_guard lock(mu_);
  return heap_.size();
}

void TimerService::ThreadMain() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (heap_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto delay = heap_.top().fire_at - clock_.Now();
    if (delay > std::chrono::milliseconds::zero()) {
      wake_.wait_for(lock, std::min<std::chrono::milliseconds>(delay, kMaxSleep));
      continue;
    }
    lock.unlock();
    RunDue();
    lock.lock();
  }
}

}  // namespace flowstate::runtime

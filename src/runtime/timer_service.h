// TimerService fires callbacks at wall-clock times read from an injected base::Clock: a min-heap
// and, in production, one thread that sleeps until the earliest deadline. Tests drive it without
// sleeping: a ManualClock plus RunDue(). Callbacks run outside the lock and must only enqueue
// work (they run on the timer thread). Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "base/clock.h"

namespace flowstate::runtime {

class TimerService {
 public:
  explicit TimerService(const base::Clock& clock) : clock_(clock) {}
  ~TimerService();  // Stop()s
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  void Arm(base::Timestamp fire_at, std::function<void()> fire);
  // Starts the thread that fires timers as the clock reaches them (RealClock deployments).
  void StartThread();
  // Stops the thread and drops every pending timer. Idempotent.
  void Stop();
  // Fires every timer due at clock.Now(); returns how many fired.
  size_t RunDue();
  size_t pending() const;

 private:
  struct Entry {
    base::Timestamp fire_at;
    uint64_t sequence;  // FIFO among equal deadlines
    std::function<void()> fire;
    bool operator>(const Entry& other) const {
      return fire_at != other.fire_at ? fire_at > other.fire_at : sequence > other.sequence;
    }
  };

  void ThreadMain();

  const base::Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  uint64_t next_sequence_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace flowstate::runtime

// TransitionFeed tells watchers that an execution's history grew: the runtime publishes the ARN
// after each committed transition, and a watcher (the console's live view) reads what is new
// from the store. It carries no events, so publishing costs nothing when nobody watches.
// Thread-safe. A watcher's callback runs on the publishing thread (a lane or the store's
// writer) with no lock held, and must not block: it should only hand the work elsewhere.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace flowstate::runtime {

class TransitionFeed {
 public:
  using WatchId = uint64_t;

  TransitionFeed() = default;
  TransitionFeed(const TransitionFeed&) = delete;
  TransitionFeed& operator=(const TransitionFeed&) = delete;

  // `changed` runs after every later committed transition of `execution_arn`.
  WatchId Watch(const std::string& execution_arn, std::function<void()> changed);
  // Stops the calls to `changed`; one published just before may still run once, so the
  // callback must stay safe to call (e.g. hold its target weakly).
  void Unwatch(WatchId id);

  // Called by the runtime once a transition of `execution_arn` is committed.
  void Publish(std::string_view execution_arn);

  size_t WatcherCountForTesting() const;

 private:
  struct Watcher {
    std::string execution_arn;
    std::shared_ptr<std::function<void()>> changed;
  };

  mutable std::mutex mu_;
  std::atomic<size_t> count_{0};  // lets Publish skip the lock when nobody watches
  WatchId next_id_ = 1;
  std::unordered_map<WatchId, Watcher> watchers_;
  std::unordered_multimap<std::string, WatchId> by_execution_;
};

}  // namespace flowstate::runtime

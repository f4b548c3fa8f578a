#include "runtime/transition_feed.h"

#include <memory>
#include <utility>
#include <vector>

namespace flowstate::runtime {

TransitionFeed::WatchId TransitionFeed::Watch(const std::string& execution_arn,
                                              std::function<void()> changed) {
  std::lock_guard lock(mu_);
  const WatchId id = next_id_++;
  watchers_.emplace(
      id, Watcher{execution_arn, std::make_shared<std::function<void()>>(std::move(changed))});
  by_execution_.emplace(execution_arn, id);
  count_.store(watchers_.size());
  return id;
}

void TransitionFeed::Unwatch(WatchId id) {
  std::lock_guard lock(mu_);
  auto it = watchers_.find(id);
  if (it == watchers_.end()) {
    return;
  }
  auto range = by_execution_.equal_range(it->second.execution_arn);
  for (auto entry = range.first; entry != range.second; ++entry) {
    if (entry->second == id) {
      by_execution_.erase(entry);
      break;
    }
  }
  watchers_.erase(it);
  count_.store(watchers_.size());
}

void TransitionFeed::Publish(std::string_view execution_arn) {
  if (count_.load(std::memory_order_relaxed) == 0) {
    return;
  }
  std::vector<std::shared_ptr<std::function<void()>>> to_call;
  {
    std::lock_guard lock(mu_);
    auto range = by_execution_.equal_range(std::string(execution_arn));
    for (auto entry = range.first; entry != range.second; ++entry) {
      to_call.push_back(watchers_.at(entry->second).changed);
    }
  }
  // Outside the lock: a callback may Watch or Unwatch.
  for (const auto& changed : to_call) {
    (*changed)();
  }
}

size_t TransitionFeed::WatcherCountForTesting() const {
  std::lock_guard lock(mu_);
  return watchers_.size();
}

}  // namespace flowstate::runtime

#include "server/console_events.h"

#include <chrono>
#include <utility>
#include <vector>

#include "api/api.h"
#include "api/api_error.h"
#include "json/json.h"
#include "runtime/transition_feed.h"

namespace flowstate::server {
namespace {

constexpr int kEventsPerMessage = 500;
// A comment line now and then keeps proxies from closing an idle stream and tells us early
// that a browser went away.
constexpr std::chrono::seconds kKeepAlive{15};

}  // namespace

class ConsoleEvents::Watcher {
 public:
  Watcher(std::string execution_arn, int64_t after)
      : after_(after), execution_arn_(std::move(execution_arn)) {}

  const std::string& execution_arn() const { return execution_arn_; }

  // Owned by the ConsoleEvents thread (and by Start before the first Wake).
  std::shared_ptr<ResponseStream> stream;
  runtime::TransitionFeed::WatchId watch_id = 0;
  bool queued = false;  // guarded by ConsoleEvents::mu_

  // Pump state, touched only on the ConsoleEvents thread.
  int64_t after_ = 0;
  std::string status_;
  std::string tokens_;

 private:
  std::string execution_arn_;
};

ConsoleEvents::ConsoleEvents(api::Api& api, runtime::TransitionFeed& feed)
    : api_(api), feed_(feed) {
  thread_ = std::thread([this] { Loop(); });
}

ConsoleEvents::~ConsoleEvents() { Stop(); }

HttpResponse ConsoleEvents::Open(const std::string& execution_arn, int64_t after_event_id) {
  auto probe = api_.HistorySince(execution_arn, after_event_id, 1);
  if (!probe) {
    return HttpResponse{probe.error().http_status, "application/x-amz-json-1.0",
                        api::ErrorBody(probe.error())};
  }
  auto watcher = std::make_shared<Watcher>(execution_arn, after_event_id);
  HttpResponse response;
  response.content_type = "text/event-stream";
  response.headers = {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}};
  response.start_stream = [this, watcher](std::shared_ptr<ResponseStream> stream) {
    watcher->stream = std::move(stream);
    Start(watcher);
  };
  return response;
}

void ConsoleEvents::Start(const std::shared_ptr<Watcher>& watcher) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      watcher->stream->Close();
      return;
    }
    watchers_.insert(watcher);
  }
  std::weak_ptr<Watcher> weak = watcher;
  watcher->watch_id = feed_.Watch(watcher->execution_arn(), [this, weak] {
    if (auto alive = weak.lock()) {
      Wake(alive);
    }
  });
  watcher->stream->OnClosed([this, weak] {
    if (auto alive = weak.lock()) {
      Forget(alive);
    }
  });
  Wake(watcher);  // the history so far
}

void ConsoleEvents::Wake(const std::shared_ptr<Watcher>& watcher) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || watcher->queued || !watchers_.contains(watcher)) {
      return;
    }
    watcher->queued = true;
    ready_.push_back(watcher);
  }
  cv_.notify_one();
}

void ConsoleEvents::Forget(const std::shared_ptr<Watcher>& watcher) {
  {
    std::lock_guard lock(mu_);
    if (watchers_.erase(watcher) == 0) {
      return;
    }
  }
  feed_.Unwatch(watcher->watch_id);
}

void ConsoleEvents::Loop() {
  while (true) {
    std::shared_ptr<Watcher> next;
    std::vector<std::shared_ptr<Watcher>> idle;
    {
      std::unique_lock lock(mu_);
      const bool woken =
          cv_.wait_for(lock, kKeepAlive, [this] { return stopping_ || !ready_.empty(); });
      if (stopping_) {
        return;
      }
      if (woken) {
        next = std::move(ready_.front());
        ready_.pop_front();
        next->queued = false;
      } else {
        idle.assign(watchers_.begin(), watchers_.end());
      }
    }
    if (next) {
      Pump(*next);
    }
    for (const auto& watcher : idle) {
      watcher->stream->Send(": keep-alive\n\n");
    }
  }
}

// Sends what the browser has not seen yet. A transition that commits meanwhile wakes the watcher
// again, so nothing is missed: the feed publishes after the store has the events.
void ConsoleEvents::Pump(Watcher& watcher) {
  while (true) {
    auto batch = api_.HistorySince(watcher.execution_arn(), watcher.after_, kEventsPerMessage);
    if (!batch) {
      watcher.stream->Send("event: failure\ndata: " + api::ErrorBody(batch.error()) + "\n\n");
      watcher.stream->Close();
      return;
    }
    const json::Json& events = (*batch)["events"];
    const std::string status = (*batch)["status"].get<std::string>();
    std::string tokens = json::Dump((*batch)["taskTokens"]);
    if (events.empty() && status == watcher.status_ && tokens == watcher.tokens_) {
      return;
    }
    watcher.tokens_ = std::move(tokens);
    if (!events.empty()) {
      watcher.after_ = events.back()["id"].get<int64_t>();
    }
    watcher.status_ = status;
    const bool more = events.size() == static_cast<size_t>(kEventsPerMessage);
    if (!watcher.stream->Send("id: " + std::to_string(watcher.after_) +
                              "\nevent: history\ndata: " + json::Dump(*batch) + "\n\n")) {
      return;
    }
    if (!more) {
      return;
    }
  }
}

void ConsoleEvents::Stop() {
  std::unordered_set<std::shared_ptr<Watcher>> watchers;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
    watchers.swap(watchers_);
    ready_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  for (const auto& watcher : watchers) {
    feed_.Unwatch(watcher->watch_id);
    watcher->stream->Close();
  }
}

size_t ConsoleEvents::WatcherCountForTesting() const {
  std::lock_guard lock(mu_);
  return watchers_.size();
}

}  // namespace flowstate::server

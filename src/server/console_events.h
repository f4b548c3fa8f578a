// ConsoleEvents serves an execution's history to the console as server-sent events: on
// connect, every event after the one the browser already has (Last-Event-ID, or `after`), then
// each new one as the runtime commits it (no polling: the runtime's TransitionFeed wakes the
// watcher). One message per batch: `id: <last event id>`, `data: {"events": [...],
// "status": "RUNNING"}`. Store reads and socket writes run on one thread of this class, never
// on a lane. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "server/http_server.h"

namespace flowstate::api {
class Api;
}  // namespace flowstate::api
namespace flowstate::runtime {
class TransitionFeed;
}  // namespace flowstate::runtime

namespace flowstate::server {

class ConsoleEvents {
 public:
  // REQUIRES: `api` and `feed` outlive this object.
  ConsoleEvents(api::Api& api, runtime::TransitionFeed& feed);
  ~ConsoleEvents();  // Stop()s
  ConsoleEvents(const ConsoleEvents&) = delete;
  ConsoleEvents& operator=(const ConsoleEvents&) = delete;

  // The response to GET /console/events?execution=ARN[&after=N]: a stream, or an error.
  HttpResponse Open(const std::string& execution_arn, int64_t after_event_id);

  // Closes every stream and joins the thread. Idempotent.
  void Stop();

  size_t WatcherCountForTesting() const;

 private:
  class Watcher;

  void Start(const std::shared_ptr<Watcher>& watcher);
  void Wake(const std::shared_ptr<Watcher>& watcher);
  void Loop();
  void Pump(Watcher& watcher);
  void Forget(const std::shared_ptr<Watcher>& watcher);

  api::Api& api_;
  runtime::TransitionFeed& feed_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_set<std::shared_ptr<Watcher>> watchers_;
  std::deque<std::shared_ptr<Watcher>> ready_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace flowstate::server

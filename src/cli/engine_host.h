// EngineHost wires the pieces that run executions in one process: clock, memory store, timer
// service, optional Lambda invoker, runtime. `flowstate serve` and `flowstate run` both use it.
// Shutdown() stops them in the order their callbacks require (invoker and timers before the
// runtime they call into).
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "runtime/lambda_task_dispatcher.h"
#include "runtime/runtime.h"
#include "runtime/timer_service.h"
#include "store/memory/memory_store.h"
#include "tasks/lambda_invoker.h"

namespace flowstate::cli {

class EngineHost {
 public:
  // `lambda_endpoint` may be empty (Lambda tasks then fail with a clear cause).
  static base::Result<std::unique_ptr<EngineHost>> Create(const std::string& lambda_endpoint,
                                                          const std::string& region);
  ~EngineHost();
  EngineHost(const EngineHost&) = delete;
  EngineHost& operator=(const EngineHost&) = delete;

  base::RealClock& clock() { return clock_; }
  store::MemoryStore& store() { return store_; }
  runtime::Runtime& runtime() { return *runtime_; }

  // Stops calling back, then stops and frees the runtime (dropping its waiters). Idempotent.
  void Shutdown();

 private:
  EngineHost() : timers_(clock_) {}

  base::RealClock clock_;
  store::MemoryStore store_;
  runtime::TimerService timers_;
  std::unique_ptr<tasks::LambdaInvoker> invoker_;
  std::unique_ptr<runtime::LambdaTaskDispatcher> dispatcher_;
  std::unique_ptr<runtime::Runtime> runtime_;
};

// The Lambda endpoint from --lambda-endpoint, else the LAMBDA_ENDPOINT environment variable.
std::string LambdaEndpointOrEnv(const std::string& flag);

}  // namespace flowstate::cli

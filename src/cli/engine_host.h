// EngineHost wires the pieces that run executions in one process: clock, store (durable SQLite
// under a data directory, or memory), timer service, optional Lambda invoker, runtime.
// `flowstate serve` and `flowstate run` both use it. Create() recovers the executions a durable
// store holds RUNNING before it returns. Shutdown() stops the pieces in the order their
// callbacks require (invoker and timers before the runtime they call into, the runtime before
// the store it commits to).
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "runtime/lambda_task_dispatcher.h"
#include "runtime/runtime.h"
#include "runtime/timer_service.h"
#include "store/store.h"
#include "tasks/lambda_invoker.h"

namespace flowstate::cli {

// `--data` value that keeps everything in memory (nothing survives a restart).
inline constexpr const char* kMemoryData = ":memory:";

struct EngineHostOptions {
  std::string lambda_endpoint;  // may be empty (Lambda tasks then fail with a clear cause)
  std::string region = "us-east-1";
  // Directory of the SQLite database (created when missing), or kMemoryData.
  std::string data = kMemoryData;
  double wait_time_scale = 1.0;
  double timer_look_ahead_seconds = 60;  // RuntimeOptions::timer_look_ahead
  // Execution logs: a directory, or "-" for stdout (ExecutionLogWriter).
  std::string execution_logs = "-";
};

class EngineHost {
 public:
  static base::Result<std::unique_ptr<EngineHost>> Create(const EngineHostOptions& options);
  ~EngineHost();
  EngineHost(const EngineHost&) = delete;
  EngineHost& operator=(const EngineHost&) = delete;

  base::RealClock& clock() { return clock_; }
  store::Store& store() { return *store_; }
  runtime::Runtime& runtime() { return *runtime_; }
  // Executions resumed from the data directory at startup.
  size_t recovered() const { return recovered_; }

  // Stops calling back, then stops and frees the runtime (dropping its waiters), then closes the
  // store (finishing its queued writes). Idempotent.
  void Shutdown();

 private:
  EngineHost() : timers_(clock_) {}

  base::RealClock clock_;
  std::unique_ptr<store::Store> store_;
  runtime::TimerService timers_;
  std::unique_ptr<tasks::LambdaInvoker> invoker_;
  std::unique_ptr<runtime::LambdaTaskDispatcher> dispatcher_;
  std::unique_ptr<runtime::ExecutionLogWriter> log_writer_;
  std::unique_ptr<runtime::Runtime> runtime_;
  size_t recovered_ = 0;
};

// The Lambda endpoint from --lambda-endpoint, else the LAMBDA_ENDPOINT environment variable.
std::string LambdaEndpointOrEnv(const std::string& flag);

// The wait time scale from --wait-time-scale (when given, i.e. >= 0), else the WAIT_TIME_SCALE
// environment variable, else 1. An unreadable or negative value is an error.
base::Result<double> WaitTimeScaleOrEnv(double flag);

}  // namespace flowstate::cli

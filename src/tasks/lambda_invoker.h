// Calls Lambda functions through the Lambda Invoke HTTP API
// (POST /2015-03-31/functions/{FunctionName}/invocations) at one configured endpoint, as AWS Step
// Functions Local does with LAMBDA_ENDPOINT, so `sam local start-lambda` or any Invoke-API server
// serves a Task state's Lambda calls.
//
// Usage (runtime): create one invoker per process, hand it every Lambda OutboundTask, and turn
// each TaskResult into an Input carrying the task's stamp:
//
//   auto invoker = tasks::LambdaInvoker::Create({.endpoint = "http://127.0.0.1:3001"});
//   if (!invoker) ...;  // bad endpoint URL
//   (*invoker)->Invoke(task, [stamp = task.stamp, ...](tasks::TaskResult r) {
//     model::Input in;
//     in.stamp = stamp;
//     if (r.ok) { in.kind = model::InputKind::kTaskSucceeded; in.payload = std::move(r.output); }
//     else      { in.kind = model::InputKind::kTaskFailed; in.error = ...; in.cause = ...; }
//     // (r.timed_out: the call outlived TimeoutSeconds; record it as a timeout)
//     enqueue(in);  // must not block: it runs on the invoker's I/O thread
//   });
//
// The invoker owns an io_context and one I/O thread; no thread ever waits on a call. Calls share
// a pool of HTTP/1.1 keep-alive connections (TCP_NODELAY). Each call ends in exactly one callback
// (success, function error, Lambda service error, transport error or timeout), except calls still
// in flight when the invoker stops: those are dropped without a callback (their executions are
// recovered from the outbox on restart). Invoke may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "model/outbound.h"
#include "tasks/task_result.h"

namespace flowstate::tasks {

struct LambdaInvokerOptions {
  std::string endpoint;  // "http://host:port" (an optional path prefix is kept); http only
  std::string region = "us-east-1";  // for the dummy SigV4 Authorization header
  // Per-call deadline when the task has no TimeoutSeconds (Lambda runs for at most 15 min).
  std::chrono::milliseconds default_timeout = std::chrono::seconds(15 * 60 + 30);
  // A task with TimeoutSeconds is given that long plus this grace: the engine's own timeout timer
  // should end the task first (TaskTimedOut), and this invoker's late States.Timeout is then
  // dropped by stamp. It only decides when nothing else does.
  std::chrono::milliseconds task_timeout_grace = std::chrono::seconds(10);
  size_t max_connections = 256;  // concurrent calls beyond this wait for a free connection
};

class LambdaInvoker {
 public:
  using Callback = std::function<void(TaskResult)>;

  // Starts the I/O thread. InvalidArgument if the endpoint is not an http:// URL.
  static base::Result<std::unique_ptr<LambdaInvoker>> Create(LambdaInvokerOptions options);

  ~LambdaInvoker();  // Stop()s and joins
  LambdaInvoker(const LambdaInvoker&) = delete;
  LambdaInvoker& operator=(const LambdaInvoker&) = delete;

  // Sends one call. `done` runs later on the invoker's thread, never inside Invoke.
  void Invoke(const model::OutboundTask& task, Callback done);

  // Closes every connection, drops calls in flight (no callbacks) and joins the thread. Never
  // call it from a callback (the I/O thread would join itself).
  // Idempotent; Invoke after Stop drops the call.
  void Stop();

 private:
  struct Impl;
  explicit LambdaInvoker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowstate::tasks

#include "runtime/lambda_task_dispatcher.h"

#include <utility>

#include "tasks/lambda_invoker.h"
#include "tasks/task_result.h"

namespace flowstate::runtime {
namespace {

model::Input ToInput(uint64_t stamp, tasks::TaskResult result) {
  model::Input input;
  input.stamp = stamp;
  if (result.ok) {
    input.kind = model::InputKind::kTaskSucceeded;
    input.payload = std::move(result.output);
  } else {
    input.kind = model::InputKind::kTaskFailed;
    input.error = std::move(result.error);
    input.cause = std::move(result.cause);
  }
  return input;
}

}  // namespace

void LambdaTaskDispatcher::Dispatch(const model::OutboundTask& task, Done done) {
  const uint64_t stamp = task.stamp;
  if (invoker_ == nullptr) {
    done(ToInput(
        stamp, tasks::TaskResult::Failure("Lambda.SdkClientException",
                                          "No Lambda endpoint is configured: start Flowstate with "
                                          "--lambda-endpoint URL or set LAMBDA_ENDPOINT.")));
    return;
  }
  invoker_->Invoke(task, [stamp, done = std::move(done)](tasks::TaskResult result) {
    done(ToInput(stamp, std::move(result)));
  });
}

}  // namespace flowstate::runtime

// LambdaTaskDispatcher sends Lambda tasks to a tasks::LambdaInvoker and turns each TaskResult into
// a task Input. Without an invoker (no Lambda endpoint configured) every task fails with a
// Lambda client error, as an SDK without a reachable endpoint would. Thread-safe.
#pragma once

#include <memory>

#include "runtime/task_dispatcher.h"

namespace flowstate::tasks {
class LambdaInvoker;
}  // namespace flowstate::tasks

namespace flowstate::runtime {

class LambdaTaskDispatcher final : public TaskDispatcher {
 public:
  // `invoker` may be null. REQUIRES: `invoker` outlives this dispatcher.
  explicit LambdaTaskDispatcher(tasks::LambdaInvoker* invoker) : invoker_(invoker) {}
  void Dispatch(const model::OutboundTask& task, Done done) override;

 private:
  tasks::LambdaInvoker* invoker_;
};

}  // namespace flowstate::runtime

// TaskDispatcher is how the runtime calls the outside world for a Task state: it hands over an
// OutboundTask and gets the result back later as an Input (same stamp) through `done`, which
// feeds the execution's lane like any other input. Implementations must be thread-safe; `done`
// may run on any thread, even inside Dispatch (it only enqueues).
#pragma once

#include <functional>

#include "model/input.h"
#include "model/outbound.h"

namespace flowstate::runtime {

class TaskDispatcher {
 public:
  using Done = std::function<void(model::Input)>;
  virtual ~TaskDispatcher() = default;
  virtual void Dispatch(const model::OutboundTask& task, Done done) = 0;
};

}  // namespace flowstate::runtime

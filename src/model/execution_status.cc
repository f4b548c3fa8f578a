#include "model/execution_status.h"

namespace flowstate::model {

std::optional<ExecutionStatus> ParseExecutionStatus(std::string_view text) {
  for (auto status : {ExecutionStatus::kRunning, ExecutionStatus::kSucceeded,
                      ExecutionStatus::kFailed, ExecutionStatus::kTimedOut,
                      ExecutionStatus::kAborted, ExecutionStatus::kPendingRedrive}) {
    if (ToString(status) == text) {
      return status;
    }
  }
  return std::nullopt;
}

}  // namespace flowstate::model

// ExecutionStatus and its AWS spelling.
#pragma once

#include <optional>
#include <string_view>

namespace flowstate::model {

enum class ExecutionStatus { kRunning, kSucceeded, kFailed, kTimedOut, kAborted, kPendingRedrive };

constexpr std::string_view ToString(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::kRunning:
      return "RUNNING";
    case ExecutionStatus::kSucceeded:
      return "SUCCEEDED";
    case ExecutionStatus::kFailed:
      return "FAILED";
    case ExecutionStatus::kTimedOut:
      return "TIMED_OUT";
    case ExecutionStatus::kAborted:
      return "ABORTED";
    case ExecutionStatus::kPendingRedrive:
      return "PENDING_REDRIVE";
  }
  return "RUNNING";
}

std::optional<ExecutionStatus> ParseExecutionStatus(std::string_view text);

}  // namespace flowstate::model

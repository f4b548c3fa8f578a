#include "runtime/redrive_rules.h"

#include "model/execution_status.h"

namespace flowstate::runtime {

std::optional<std::string> RedriveBlocker(const store::ExecutionRecord& record,
                                          int64_t last_event_id, bool machine_exists,
                                          base::Timestamp now) {
  if (!machine_exists) {
    return "State machine is in DELETING status";
  }
  switch (record.status) {
    case model::ExecutionStatus::kRunning:
    case model::ExecutionStatus::kPendingRedrive:
      return "Execution is RUNNING and cannot be redriven";
    case model::ExecutionStatus::kSucceeded:
      return "Execution is SUCCEEDED and cannot be redriven";
    default:
      break;
  }
  if (!record.has_snapshot) {
    // Ended before Flowstate kept terminal snapshots: nothing to continue from.
    return "Execution was started before the launch of RedriveExecution";
  }
  if (last_event_id >= kRedriveMaxHistoryEvents) {
    return "Execution history event limit exceeded";
  }
  if (now - record.start_date > kMaxExecutionTime) {
    return "Execution has exceeded the max execution time";
  }
  if (record.stop_date && now - *record.stop_date > kRedrivablePeriod) {
    return "Execution redrivable period exceeded";
  }
  return std::nullopt;
}

std::optional<base::Timestamp> RepeatedRedrive(const store::ExecutionRecord& record,
                                               const std::string& client_token,
                                               base::Timestamp now) {
  if (client_token.empty()) {
    return std::nullopt;
  }
  for (const store::RedriveToken& used : record.redrive_tokens) {
    if (used.token == client_token && now - used.redrive_date <= kRedriveTokenLifetime) {
      return used.redrive_date;
    }
  }
  return std::nullopt;
}

}  // namespace flowstate::runtime

// ExecutionInfo is what an execution knows about itself from its start: the identity that the
// context object ($$.Execution, $$.StateMachine) exposes and that history events cite.
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"

namespace flowstate::model {

enum class WorkflowType { kStandard, kExpress };

struct ExecutionInfo {
  std::string execution_arn;
  std::string execution_name;
  std::string state_machine_arn;
  std::string state_machine_name;
  std::string role_arn;
  std::string state_machine_version_arn;  // empty unless started through a version
  std::string state_machine_alias_arn;    // empty unless started through an alias
  WorkflowType type = WorkflowType::kStandard;
  base::Timestamp start_time{};
  int64_t redrive_count = 0;
  base::Timestamp redrive_time{};  // the latest redrive ($$.Execution.RedriveTime)
};

}  // namespace flowstate::model

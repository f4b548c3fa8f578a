#include "store/records.h"

namespace flowstate::store {

model::ExecutionInfo ExecutionInfoAtStart(const ExecutionRecord& execution,
                                          const StateMachineRecord& revision) {
  model::ExecutionInfo info;
  info.execution_arn = execution.arn;
  info.execution_name = execution.name;
  info.state_machine_arn = execution.state_machine_arn;
  info.state_machine_name = revision.name;
  info.role_arn = revision.role_arn;
  info.state_machine_version_arn = execution.state_machine_version_arn;
  info.state_machine_alias_arn = execution.state_machine_alias_arn;
  info.type = execution.type;
  info.start_time = execution.start_date;
  return info;
}

}  // namespace flowstate::store

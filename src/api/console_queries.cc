// What the console reads beyond the AWS operations (api.h: Api::HistorySince).
#include <string>

#include "api/operations.h"
#include "api/render.h"
#include "runtime/redrive_rules.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace flowstate::api {

ApiResult<json::Json> Api::HistorySince(const std::string& execution_arn, int64_t after_event_id,
                                        int limit) {
  FS_API_TRY(parsed, ParseArn(execution_arn, Allow(ArnKind::kExecution)));
  auto record = context_->store.GetExecution(execution_arn);
  if (!record) {
    return Fail("ExecutionDoesNotExist", "Execution Does Not Exist: '" + execution_arn + "'");
  }
  // Event ids are contiguous from 1, and a forward history cursor is the number of events
  // already returned (store.h), so the events after id N start at cursor N.
  store::PageRequest page{limit, after_event_id > 0 ? std::to_string(after_event_id) : ""};
  json::Json events = json::Json::array();
  auto history = context_->store.GetHistory(execution_arn, page, /*reverse=*/false);
  if (history) {  // a cursor past the end (nothing new yet) is no error for a watcher
    for (const auto& event : history->items) {
      events.push_back(RenderEvent(event, /*include_data=*/true));
    }
  }
  // The tokens it waits on (`.waitForTaskToken` tasks, activities): the AWS API has no call
  // that lists them, but a human approving from the console needs them.
  json::Json tokens = json::Json::array();
  for (const std::string& token : context_->runtime.tokens().PendingFor(execution_arn)) {
    tokens.push_back(json::Json{{"taskToken", token}});
  }
  json::Json batch = {{"events", std::move(events)},
                      {"status", std::string(model::ToString(record->status))},
                      {"taskTokens", std::move(tokens)}};
  if (record->status != model::ExecutionStatus::kRunning) {
    // Whether its Redrive button can work (as DescribeExecution's redriveStatus), so the page
    // needs no request of its own for it. Event ids are contiguous: the last one read is the
    // last one, or none came after `after_event_id`.
    const int64_t last_event_id =
        batch["events"].empty() ? after_event_id : batch["events"].back()["id"].get<int64_t>();
    const bool machine_exists =
        context_->store.GetStateMachine(record->state_machine_arn).has_value();
    auto blocker =
        runtime::RedriveBlocker(*record, last_event_id, machine_exists, context_->clock.Now());
    batch["redriveStatus"] = blocker ? "NOT_REDRIVABLE" : "REDRIVABLE";
    if (blocker) batch["redriveStatusReason"] = *blocker;
  }
  return batch;
}

}  // namespace flowstate::api

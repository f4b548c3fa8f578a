// Recovers what one state visit saw from an execution's history (for the console's data-flow
// view, api.h: Api::DataFlow): its input, entry time and retry count, the variables visible at
// its entry, what its task was sent and returned, its output and assigned variables.
//
// Variables are rebuilt the way the engine keeps them (engine/variables.cc): per frame (the top
// level, each Parallel branch, each Map iteration), from the assignedVariables of the
// ...StateExited events in that frame. Events are attributed to frames by their
// previousEventId chains (engine/history.cc): a frame's first event follows the event that
// started it, and a frame's events follow each other.
#pragma once

#include <cstdint>
#include <vector>

#include "api/api_error.h"
#include "asl/state_machine_model.h"
#include "engine/replay.h"
#include "model/history_event.h"
#include "store/records.h"

namespace flowstate::api {

// `events`: the execution's history from its first event, in id order.
ApiResult<engine::RecordedVisit> RecoverVisit(const asl::StateMachineModel& model,
                                              const store::ExecutionRecord& execution,
                                              const store::StateMachineRecord& revision,
                                              const std::vector<model::HistoryEvent>& events,
                                              int64_t entered_event_id);

}  // namespace flowstate::api

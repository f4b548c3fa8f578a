// HistoryEvent is one entry of an execution's history, as GetExecutionHistory returns it:
// {timestamp, type, id, previousEventId, <details_key>: details}. Plain value.
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/interned_name.h"
#include "model/event_details.h"

namespace flowstate::model {

struct HistoryEvent {
  int64_t id = 0;
  int64_t previous_event_id = 0;
  base::Timestamp timestamp{};
  base::InternedName type;  // "ExecutionStarted", "PassStateEntered", ...
  base::InternedName
      details_key;       // "executionStartedEventDetails", "stateEnteredEventDetails", ...;
                         // empty for events without details (e.g. "MapStateSucceeded")
  EventDetails details;  // the details object exactly as the API returns it: payloads such
                         // as "input"/"output" are JSON *text* (strings), as on AWS
};

}  // namespace flowstate::model

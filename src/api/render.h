// How records look on the wire (AWS JSON 1.0 response members): timestamps as epoch seconds
// with fractional milliseconds, history events with their details member, execution and state
// machine summaries. Pure functions.
#pragma once

#include <string_view>

#include "base/clock.h"
#include "json/json.h"
#include "model/execution_info.h"
#include "model/history_event.h"
#include "store/records.h"

namespace flowstate::api {

// 1700000000.123
json::Json EpochSeconds(base::Timestamp time);
std::string_view WorkflowTypeName(model::WorkflowType type);

// Adds `variableReferences` (state name -> variables it reads) to a DescribeStateMachine or
// DescribeStateMachineForExecution response when some state of `definition` reads a variable.
void AddVariableReferences(std::string_view definition, json::Json& out);

// {timestamp, type, id, previousEventId, <details_key>: details}; without `include_data` the
// input/output payloads are dropped (GetExecutionHistory includeExecutionData=false).
json::Json RenderEvent(const model::HistoryEvent& event, bool include_data);

// DescribeExecution's members.
json::Json RenderExecution(const store::ExecutionRecord& record);
// ListExecutions' items.
json::Json RenderExecutionSummary(const store::ExecutionRecord& record);

}  // namespace flowstate::api

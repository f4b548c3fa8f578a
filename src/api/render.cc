#include "api/render.h"

#include "asl/variable_references.h"

namespace flowstate::api {

void AddVariableReferences(std::string_view definition, json::Json& out) {
  auto parsed = json::Parse(definition);
  if (!parsed) return;
  json::Json references = asl::VariableReferencesJson(*parsed);
  if (!references.is_null()) out["variableReferences"] = std::move(references);
}

json::Json EpochSeconds(base::Timestamp time) {
  return static_cast<double>(base::ToUnixMillis(time)) / 1000.0;
}

std::string_view WorkflowTypeName(model::WorkflowType type) {
  return type == model::WorkflowType::kExpress ? "EXPRESS" : "STANDARD";
}

json::Json RenderEvent(const model::HistoryEvent& event, bool include_data) {
  json::Json out = json::Json::object();
  out["timestamp"] = EpochSeconds(event.timestamp);
  out["type"] = event.type;
  out["id"] = event.id;
  out["previousEventId"] = event.previous_event_id;
  if (!event.details_key.empty()) {
    json::Json details = event.details.ToJson();
    if (!include_data && details.is_object()) {
      details.erase("input");
      details.erase("output");
      details.erase("parameters");
    }
    out[event.details_key] = std::move(details);
  }
  return out;
}

json::Json RenderExecutionSummary(const store::ExecutionRecord& record) {
  json::Json out = json::Json::object();
  out["executionArn"] = record.arn;
  out["stateMachineArn"] = record.state_machine_arn;
  out["name"] = record.name;
  out["status"] = model::ToString(record.status);
  out["startDate"] = EpochSeconds(record.start_date);
  if (record.stop_date) {
    out["stopDate"] = EpochSeconds(*record.stop_date);
  }
  if (!record.state_machine_version_arn.empty()) {
    out["stateMachineVersionArn"] = record.state_machine_version_arn;
  }
  if (!record.state_machine_alias_arn.empty()) {
    out["stateMachineAliasArn"] = record.state_machine_alias_arn;
  }
  out["redriveCount"] = record.redrive_count;
  if (record.redrive_date) {
    out["redriveDate"] = EpochSeconds(*record.redrive_date);
  }
  return out;
}

json::Json RenderExecution(const store::ExecutionRecord& record) {
  json::Json out = RenderExecutionSummary(record);
  out["input"] = record.input;
  out["inputDetails"] = {{"included", true}};
  if (record.output) {
    out["output"] = *record.output;
    out["outputDetails"] = {{"included", true}};
  }
  if (record.error) {
    out["error"] = *record.error;
  }
  if (record.cause) {
    out["cause"] = *record.cause;
  }
  if (!record.trace_header.empty()) {
    out["traceHeader"] = record.trace_header;
  }
  return out;
}

}  // namespace flowstate::api

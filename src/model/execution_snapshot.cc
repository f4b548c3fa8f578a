#include "model/execution_snapshot.h"

#include <exception>
#include <utility>

namespace flowstate::model {
namespace {

json::Json FrameToJson(const Frame& frame) {
  json::Json out = json::Json::object();
  out["parent"] = frame.parent;
  out["scope"] = frame.scope;
  out["state"] = frame.state;
  out["child"] = frame.child_index;
  out["phase"] = static_cast<int>(frame.phase);
  if (frame.phase == FramePhase::kFree) {
    return out;
  }
  out["input"] = frame.input;
  out["entered"] = frame.entered_event_id;
  out["last"] = frame.last_event_id;
  out["enteredTime"] = base::ToUnixMillis(frame.entered_time);
  out["retryCounts"] = frame.retry_counts;
  out["retryCount"] = frame.retry_count;
  out["stamp"] = frame.stamp;
  out["timeoutStamp"] = frame.timeout_stamp;
  if (!frame.effective_input.is_null()) {
    out["effective"] = frame.effective_input;
  }
  if (!frame.task_token.empty()) {
    out["taskToken"] = frame.task_token;
    out["taskStarted"] = frame.task_started;
    out["heartbeatSeconds"] = frame.heartbeat_seconds;
    out["heartbeatStamp"] = frame.heartbeat_stamp;
    out["heartbeatDeadline"] = base::ToUnixMillis(frame.heartbeat_deadline);
  }
  if (!frame.variables.is_null()) {
    out["variables"] = frame.variables;
  }
  if (!frame.results.empty()) {
    // A discarded value (a tolerated Distributed Map failure) has no JSON form: persisted as
    // null plus its index in "dropped".
    json::Json results = json::Json::array();
    json::Json dropped = json::Json::array();
    for (size_t idx = 0; idx < frame.results.size(); ++idx) {
      if (frame.results[idx].is_discarded()) {
        results.push_back(nullptr);
        dropped.push_back(idx);
      } else {
        results.push_back(frame.results[idx]);
      }
    }
    out["results"] = std::move(results);
    if (!dropped.empty()) {
      out["dropped"] = std::move(dropped);
    }
  }
  out["nextChild"] = frame.next_child;
  out["running"] = frame.running_children;
  out["failed"] = frame.failed_children;
  out["maxConcurrency"] = frame.max_concurrency;
  if (frame.parked_children != 0) {
    out["parked"] = frame.parked_children;
  }
  if (frame.has_child_error || frame.phase == FramePhase::kFailed) {
    out["error"] = frame.error;
    out["cause"] = frame.cause;
    out["hasChildError"] = frame.has_child_error;
  }
  return out;
}

Frame FrameFromJson(const json::Json& in) {
  Frame frame;
  frame.parent = in.at("parent").get<int32_t>();
  frame.scope = in.at("scope").get<int32_t>();
  frame.state = in.at("state").get<int32_t>();
  frame.child_index = in.at("child").get<int32_t>();
  frame.phase = static_cast<FramePhase>(in.at("phase").get<int>());
  if (frame.phase == FramePhase::kFree) {
    return frame;
  }
  frame.input = in.at("input");
  frame.entered_event_id = in.at("entered").get<int64_t>();
  frame.last_event_id = in.at("last").get<int64_t>();
  frame.entered_time = base::FromUnixMillis(in.at("enteredTime").get<int64_t>());
  frame.retry_counts = in.at("retryCounts").get<std::vector<int32_t>>();
  frame.retry_count = in.at("retryCount").get<int32_t>();
  frame.stamp = in.at("stamp").get<uint64_t>();
  frame.timeout_stamp = in.at("timeoutStamp").get<uint64_t>();
  if (in.contains("effective")) {
    frame.effective_input = in.at("effective");
  }
  if (in.contains("taskToken")) {
    frame.task_token = in.at("taskToken").get<std::string>();
    frame.task_started = in.at("taskStarted").get<bool>();
    frame.heartbeat_seconds = in.at("heartbeatSeconds").get<int64_t>();
    frame.heartbeat_stamp = in.at("heartbeatStamp").get<uint64_t>();
    frame.heartbeat_deadline = base::FromUnixMillis(in.at("heartbeatDeadline").get<int64_t>());
  }
  if (in.contains("variables")) {
    frame.variables = in.at("variables");
  }
  if (in.contains("results")) {
    for (const auto& result : in.at("results")) {
      frame.results.push_back(result);
    }
    if (in.contains("dropped")) {
      for (const auto& idx : in.at("dropped")) {
        frame.results.at(idx.get<size_t>()) = json::Json(json::Json::value_t::discarded);
      }
    }
  }
  frame.next_child = in.at("nextChild").get<int32_t>();
  frame.running_children = in.at("running").get<int32_t>();
  frame.failed_children = in.at("failed").get<int32_t>();
  frame.max_concurrency = in.at("maxConcurrency").get<int32_t>();
  frame.parked_children = in.value("parked", int32_t{0});
  if (in.contains("error")) {
    frame.error = in.at("error").get<std::string>();
    frame.cause = in.at("cause").get<std::string>();
    frame.has_child_error = in.at("hasChildError").get<bool>();
  }
  return frame;
}

}  // namespace

json::Json ExecutionSnapshot::ToJson() const {
  json::Json out = json::Json::object();
  out["v"] = kVersion;
  json::Json info_json = json::Json::object();
  info_json["executionArn"] = info.execution_arn;
  info_json["name"] = info.execution_name;
  info_json["stateMachineArn"] = info.state_machine_arn;
  info_json["stateMachineName"] = info.state_machine_name;
  info_json["roleArn"] = info.role_arn;
  info_json["versionArn"] = info.state_machine_version_arn;
  info_json["aliasArn"] = info.state_machine_alias_arn;
  info_json["express"] = info.type == WorkflowType::kExpress;
  info_json["startTime"] = base::ToUnixMillis(info.start_time);
  info_json["redriveCount"] = info.redrive_count;
  if (info.redrive_count != 0) {
    info_json["redriveTime"] = base::ToUnixMillis(info.redrive_time);
  }
  out["info"] = std::move(info_json);
  out["input"] = execution_input;
  out["status"] = std::string(model::ToString(status));
  out["nextEventId"] = next_event_id;
  out["nextStamp"] = next_stamp;
  out["executionTimeoutStamp"] = execution_timeout_stamp;
  out["mapRunCounter"] = map_run_counter;
  if (variable_bytes != 0) out["variableBytes"] = variable_bytes;
  json::Json frames_json = json::Json::array();
  for (const Frame& frame : frames) {
    frames_json.push_back(FrameToJson(frame));
  }
  out["frames"] = std::move(frames_json);
  out["freeFrames"] = free_frames;
  return out;
}

base::Result<ExecutionSnapshot> ExecutionSnapshot::FromJson(const json::Json& value) {
  try {
    if (!value.is_object() || value.value("v", 0) != kVersion) {
      return base::Err(base::Status::Corruption("execution snapshot: unsupported version"));
    }
    ExecutionSnapshot snapshot;
    const json::Json& info_json = value.at("info");
    snapshot.info.execution_arn = info_json.at("executionArn").get<std::string>();
    snapshot.info.execution_name = info_json.at("name").get<std::string>();
    snapshot.info.state_machine_arn = info_json.at("stateMachineArn").get<std::string>();
    snapshot.info.state_machine_name = info_json.at("stateMachineName").get<std::string>();
    snapshot.info.role_arn = info_json.at("roleArn").get<std::string>();
    snapshot.info.state_machine_version_arn = info_json.at("versionArn").get<std::string>();
    snapshot.info.state_machine_alias_arn = info_json.at("aliasArn").get<std::string>();
    snapshot.info.type =
        info_json.at("express").get<bool>() ? WorkflowType::kExpress : WorkflowType::kStandard;
    snapshot.info.start_time = base::FromUnixMillis(info_json.at("startTime").get<int64_t>());
    snapshot.info.redrive_count = info_json.at("redriveCount").get<int64_t>();
    if (info_json.contains("redriveTime")) {
      snapshot.info.redrive_time = base::FromUnixMillis(info_json.at("redriveTime").get<int64_t>());
    }
    snapshot.execution_input = value.at("input");
    auto status = ParseExecutionStatus(value.at("status").get<std::string>());
    if (!status) {
      return base::Err(base::Status::Corruption("execution snapshot: bad status"));
    }
    snapshot.status = *status;
    snapshot.next_event_id = value.at("nextEventId").get<int64_t>();
    snapshot.next_stamp = value.at("nextStamp").get<uint64_t>();
    snapshot.execution_timeout_stamp = value.at("executionTimeoutStamp").get<uint64_t>();
    snapshot.map_run_counter = value.at("mapRunCounter").get<uint64_t>();
    snapshot.variable_bytes = value.value("variableBytes", int64_t{0});
    for (const auto& frame : value.at("frames")) {
      snapshot.frames.push_back(FrameFromJson(frame));
    }
    snapshot.free_frames = value.at("freeFrames").get<std::vector<int32_t>>();
    return snapshot;
  } catch (const std::exception& e) {
    return base::Err(base::Status::Corruption(std::string("execution snapshot: ") + e.what()));
  }
}

}  // namespace flowstate::model

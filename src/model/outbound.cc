#include "model/outbound.h"

#include <exception>
#include <utility>

namespace flowstate::model {
namespace {

constexpr const char* kLambdaInvoke = "lambda:invoke";
constexpr const char* kLambdaLegacy = "lambda:legacy";
constexpr const char* kActivity = "activity";

}  // namespace

std::string OutboundTask::KindText() const {
  switch (kind) {
    case TaskKind::kLambdaInvoke:
      return kLambdaInvoke;
    case TaskKind::kLambdaLegacy:
      return kLambdaLegacy;
    case TaskKind::kActivity:
      return kActivity;
  }
  return kLambdaInvoke;
}

json::Json OutboundTask::ToJson() const {
  json::Json out = json::Json::object();
  out["resource"] = resource;
  out["functionName"] = function_name;
  out["parameters"] = parameters;
  if (timeout_seconds) {
    out["timeoutSeconds"] = *timeout_seconds;
  }
  if (heartbeat_seconds) {
    out["heartbeatSeconds"] = *heartbeat_seconds;
  }
  if (!task_token.empty()) {
    out["taskToken"] = task_token;
  }
  if (wait_for_task_token) {
    out["waitForTaskToken"] = true;
  }
  return out;
}

base::Result<OutboundTask> OutboundTask::FromOutbox(uint64_t stamp, std::string_view kind,
                                                    std::string_view payload) {
  OutboundTask task;
  task.stamp = stamp;
  if (kind == kLambdaInvoke) {
    task.kind = TaskKind::kLambdaInvoke;
  } else if (kind == kLambdaLegacy) {
    task.kind = TaskKind::kLambdaLegacy;
  } else if (kind == kActivity) {
    task.kind = TaskKind::kActivity;
  } else {
    return base::Err(base::Status::Corruption("unknown outbox kind '" + std::string(kind) + "'"));
  }
  auto parsed = json::Parse(payload);
  if (!parsed || !parsed->is_object()) {
    return base::Err(base::Status::Corruption("outbox payload is not a JSON object"));
  }
  try {
    json::Json& in = *parsed;
    task.resource = in.at("resource").get<std::string>();
    task.function_name = in.at("functionName").get<std::string>();
    task.parameters = std::move(in.at("parameters"));
    if (in.contains("timeoutSeconds")) {
      task.timeout_seconds = in["timeoutSeconds"].get<int64_t>();
    }
    if (in.contains("heartbeatSeconds")) {
      task.heartbeat_seconds = in["heartbeatSeconds"].get<int64_t>();
    }
    if (in.contains("taskToken")) {
      task.task_token = in["taskToken"].get<std::string>();
    }
    task.wait_for_task_token = in.value("waitForTaskToken", false);
  } catch (const std::exception& e) {
    return base::Err(base::Status::Corruption(std::string("outbox payload: ") + e.what()));
  }
  return task;
}

}  // namespace flowstate::model

#include "api/api.h"

#include <unordered_map>

#include "api/operations.h"
#include "base/rng.h"

namespace flowstate::api {
namespace {

constexpr std::string_view kTargetPrefix = "AWSStepFunctions.";

struct OperationEntry {
  Operation sync = nullptr;
  AsyncOperation async = nullptr;
};

const std::unordered_map<std::string_view, OperationEntry>& Operations() {
  static const std::unordered_map<std::string_view, OperationEntry> operations{
      {"CreateStateMachine", {CreateStateMachine, nullptr}},
      {"DescribeStateMachine", {DescribeStateMachine, nullptr}},
      {"UpdateStateMachine", {UpdateStateMachine, nullptr}},
      {"DeleteStateMachine", {DeleteStateMachine, nullptr}},
      {"ListStateMachines", {ListStateMachines, nullptr}},
      {"ValidateStateMachineDefinition", {ValidateStateMachineDefinition, nullptr}},
      {"StartExecution", {nullptr, StartExecution}},
      {"StartSyncExecution", {nullptr, StartSyncExecution}},
      {"DescribeExecution", {DescribeExecution, nullptr}},
      {"DescribeStateMachineForExecution", {DescribeStateMachineForExecution, nullptr}},
      {"ListExecutions", {ListExecutions, nullptr}},
      {"GetExecutionHistory", {GetExecutionHistory, nullptr}},
      {"StopExecution", {nullptr, StopExecution}},
      {"RedriveExecution", {nullptr, RedriveExecution}},
      {"CreateActivity", {CreateActivity, nullptr}},
      {"DescribeActivity", {DescribeActivity, nullptr}},
      {"DeleteActivity", {DeleteActivity, nullptr}},
      {"ListActivities", {ListActivities, nullptr}},
      {"GetActivityTask", {nullptr, GetActivityTask}},
      {"SendTaskSuccess", {SendTaskSuccess, nullptr}},
      {"SendTaskFailure", {SendTaskFailure, nullptr}},
      {"SendTaskHeartbeat", {SendTaskHeartbeat, nullptr}},
      {"TagResource", {TagResource, nullptr}},
      {"UntagResource", {UntagResource, nullptr}},
      {"ListTagsForResource", {ListTagsForResource, nullptr}},
      {"PublishStateMachineVersion", {PublishStateMachineVersion, nullptr}},
      {"ListStateMachineVersions", {ListStateMachineVersions, nullptr}},
      {"DeleteStateMachineVersion", {DeleteStateMachineVersion, nullptr}},
      {"CreateStateMachineAlias", {CreateStateMachineAlias, nullptr}},
      {"DescribeStateMachineAlias", {DescribeStateMachineAlias, nullptr}},
      {"UpdateStateMachineAlias", {UpdateStateMachineAlias, nullptr}},
      {"DeleteStateMachineAlias", {DeleteStateMachineAlias, nullptr}},
      {"ListStateMachineAliases", {ListStateMachineAliases, nullptr}},
  };
  return operations;
}

}  // namespace

ApiResponse ErrorResponse(const ApiError& error) {
  return ApiResponse{error.http_status, ErrorBody(error)};
}

ApiResponse OkResponse(const json::Json& body) { return ApiResponse{200, json::Dump(body)}; }

ApiResult<int> PageSize(const RequestReader& request, int max, int fallback) {
  FS_API_TRY(value, request.OptionalInt("maxResults"));
  if (!value || *value == 0) {
    return fallback;
  }
  if (*value < 0 || *value > max) {
    return ConstraintViolation(
        std::to_string(*value), "maxResults",
        "Member must have value less than or equal to " + std::to_string(max));
  }
  return static_cast<int>(*value);
}

std::string NewUuid() {
  thread_local base::Rng rng(base::SecureRandom64());
  return rng.Uuid();
}

Api::Api(const ApiOptions& options, store::Store& store, runtime::Runtime& runtime,
         const base::Clock& clock)
    : context_(new Context{options, store, runtime, clock}) {}

Api::~Api() = default;

void Api::Handle(std::string_view target, std::string_view body, ApiDone done) {
  const std::string_view operation =
      target.starts_with(kTargetPrefix) ? target.substr(kTargetPrefix.size()) : std::string_view();
  auto entry = Operations().find(operation);
  if (entry == Operations().end()) {
    done(ErrorResponse(ApiError{"UnknownOperationException",
                                target.empty() ? "Missing X-Amz-Target header"
                                               : "Unknown operation " + std::string(target)}));
    return;
  }
  // AWS JSON 1.0 accepts an empty body as an empty request.
  auto parsed = body.empty() ? base::Result<json::Json>(json::Json::object()) : json::Parse(body);
  if (!parsed) {
    done(ErrorResponse(
        ApiError{"SerializationException", "Malformed request body: " + parsed.error().message()}));
    return;
  }
  if (!parsed->is_object()) {
    done(ErrorResponse(
        ApiError{"SerializationException", "The request body must be a JSON object"}));
    return;
  }
  const RequestReader reader(*parsed);
  if (entry->second.async != nullptr) {
    entry->second.async(*context_, reader, std::move(done));
    return;
  }
  auto result = entry->second.sync(*context_, reader);
  done(result ? OkResponse(*result) : ErrorResponse(result.error()));
}

}  // namespace flowstate::api

// The Step Functions operations behind Api (internal to api/). Each reads its request with a
// RequestReader and either returns the response body (synchronous operations) or answers through
// `done` (operations that wait for an execution).
#pragma once

#include <mutex>
#include <string>

#include "api/api.h"
#include "api/api_error.h"
#include "api/request_reader.h"
#include "json/json.h"
#include "store/records.h"

namespace flowstate::api {

struct Api::Context {
  ApiOptions options;
  store::Store& store;
  runtime::Runtime& runtime;
  const base::Clock& clock;
  // Serializes version numbering and alias writes (read-modify-write of catalog entries).
  std::mutex versions_mu{};
};

using Operation = ApiResult<json::Json> (*)(Api::Context&, const RequestReader&);
using AsyncOperation = void (*)(Api::Context&, const RequestReader&, ApiDone);

// State machines (state_machine_operations.cc).
ApiResult<json::Json> CreateStateMachine(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> DescribeStateMachine(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> UpdateStateMachine(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> DeleteStateMachine(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> ListStateMachines(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> ValidateStateMachineDefinition(Api::Context& ctx,
                                                     const RequestReader& request);

// Executions (execution_operations.cc).
void StartExecution(Api::Context& ctx, const RequestReader& request, ApiDone done);
void StartSyncExecution(Api::Context& ctx, const RequestReader& request, ApiDone done);
ApiResult<json::Json> DescribeExecution(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> DescribeStateMachineForExecution(Api::Context& ctx,
                                                       const RequestReader& request);
ApiResult<json::Json> ListExecutions(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> GetExecutionHistory(Api::Context& ctx, const RequestReader& request);
void StopExecution(Api::Context& ctx, const RequestReader& request, ApiDone done);
void RedriveExecution(Api::Context& ctx, const RequestReader& request, ApiDone done);

// Activities and task tokens (activity_operations.cc).
ApiResult<json::Json> CreateActivity(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> DescribeActivity(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> DeleteActivity(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> ListActivities(Api::Context& ctx, const RequestReader& request);
void GetActivityTask(Api::Context& ctx, const RequestReader& request, ApiDone done);
ApiResult<json::Json> SendTaskSuccess(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> SendTaskFailure(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> SendTaskHeartbeat(Api::Context& ctx, const RequestReader& request);

// Tags (tag_operations.cc).
ApiResult<json::Json> TagResource(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> UntagResource(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> ListTagsForResource(Api::Context& ctx, const RequestReader& request);
// The `tags` member of CreateStateMachine/CreateActivity, checked (ValidationException,
// TooManyTags) before anything is created.
ApiResult<bool> CheckTags(const json::Json* tags, const std::string& resource_arn);
// Adds `tags` ([{key, value}], checked) to the resource's tags.
ApiResult<bool> AddTags(Api::Context& ctx, const std::string& resource_arn, const json::Json* tags);
// Forgets the tags of a deleted resource.
void DeleteTags(Api::Context& ctx, const std::string& resource_arn);

// Versions and aliases (version_alias_operations.cc).
ApiResult<json::Json> PublishStateMachineVersion(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> ListStateMachineVersions(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> DeleteStateMachineVersion(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> CreateStateMachineAlias(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> DescribeStateMachineAlias(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> UpdateStateMachineAlias(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> DeleteStateMachineAlias(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> ListStateMachineAliases(Api::Context& ctx, const RequestReader& request);

// A state machine, version or alias ARN resolved to the revision it runs.
struct ResolvedMachine {
  store::StateMachinePtr machine;   // the revision (its `arn` is the state machine's)
  std::string machine_arn;          // the state machine's ARN
  std::string version_arn;          // set for versions and aliases
  std::string alias_arn;            // set for aliases
  std::string version_description;  // versions: their description
};
// `route`: an alias picks one of its versions by weight (StartExecution); otherwise its first.
// Unknown state machines and versions: StateMachineDoesNotExist; unknown aliases:
// ResourceNotFound.
ApiResult<ResolvedMachine> ResolveStateMachine(Api::Context& ctx, const std::string& arn,
                                               bool route);
// Publishes the state machine's current revision (idempotent: the newest version, when it has
// that revision already); returns the version ARN.
ApiResult<std::string> PublishVersion(Api::Context& ctx, const store::StateMachineRecord& machine,
                                      const std::string& description);
void DeleteVersionsAndAliases(Api::Context& ctx, const std::string& machine_arn);

// Shared helpers.
ApiResponse ErrorResponse(const ApiError& error);
ApiResponse OkResponse(const json::Json& body);
// maxResults: 0 or absent => `fallback`; outside [0, max] => ValidationException.
ApiResult<int> PageSize(const RequestReader& request, int max, int fallback);
std::string NewUuid();

}  // namespace flowstate::api

// Unwraps an ApiResult into `var`, or returns its error from the enclosing function.
#define FS_API_TRY(var, expr)                    \
  auto var##_result = (expr);                    \
  if (!var##_result) {                           \
    return tl::unexpected(var##_result.error()); \
  }                                              \
  [[maybe_unused]] auto var = std::move(*var##_result)

// The Step Functions operations behind Api (internal to api/). Each reads its request with a
// RequestReader and either returns the response body (synchronous operations) or answers through
// `done` (operations that wait for an execution).
#pragma once

#include "api/api.h"
#include "api/api_error.h"
#include "api/request_reader.h"
#include "json/json.h"

namespace flowstate::api {

struct Api::Context {
  ApiOptions options;
  store::Store& store;
  runtime::Runtime& runtime;
  const base::Clock& clock;
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

// Activities and task tokens (activity_operations.cc).
ApiResult<json::Json> CreateActivity(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> DescribeActivity(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> DeleteActivity(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> ListActivities(Api::Context& ctx, const RequestReader& request);
void GetActivityTask(Api::Context& ctx, const RequestReader& request, ApiDone done);
ApiResult<json::Json> SendTaskSuccess(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> SendTaskFailure(Api::Context& ctx, const RequestReader& request);
ApiResult<json::Json> SendTaskHeartbeat(Api::Context& ctx, const RequestReader& request);

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

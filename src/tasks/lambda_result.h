// Pure translation between a Lambda Task and the Lambda Invoke HTTP API, as Step Functions does
// it (conformance README, "How an engine must pass these answers on"):
//  - BuildLambdaRequest: the Invoke request for an OutboundTask (path, headers, payload).
//  - LambdaResultFromResponse: the TaskResult Step Functions reports for an HTTP answer.
//  - LambdaTransportFailure: the TaskResult for a call that got no HTTP answer.
// No I/O here, so every rule is unit-testable.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/outbound.h"
#include "tasks/task_result.h"

namespace flowstate::tasks {

// Step Functions' limit on a task result, in bytes.
inline constexpr size_t kTaskResultLimitBytes = 256 * 1024;

struct LambdaRequest {
  std::string target;           // "/2015-03-31/functions/NAME/invocations[?Qualifier=Q]"
  std::string body;             // the payload text (may be empty)
  std::string invocation_type;  // X-Amz-Invocation-Type: RequestResponse | Event | DryRun
  std::string log_type;         // X-Amz-Log-Type, empty when not given
  std::string client_context;   // X-Amz-Client-Context, empty when not given
};

// The request, or the TaskResult failure the task ends with when its parameters cannot make
// one (no FunctionName, say).
struct LambdaRequestOrFailure {
  bool ok = false;
  LambdaRequest request;
  TaskResult failure;
};
LambdaRequestOrFailure BuildLambdaRequest(const model::OutboundTask& task);

struct HttpAnswer {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order, names as sent
  std::string body;
};

TaskResult LambdaResultFromResponse(const model::OutboundTask& task, const HttpAnswer& answer);

enum class TransportFailure {
  kConnectFailed,   // refused, unreachable, DNS
  kConnectionLost,  // reset / closed before a full answer
  kTimedOut,        // the call outlived its deadline
  kBodyTooLarge,    // the answer exceeds what the client reads
};
// `detail` is the OS reason ("Connection refused"); `host_port` the endpoint ("127.0.0.1:3001").
TaskResult LambdaTransportFailure(const model::OutboundTask& task, TransportFailure failure,
                                  std::string_view host_port, std::string_view detail);

// AWS SDK for Java v1's HashMap<String, List<String>> iteration order for these header names
// (the order SdkHttpMetadata.AllHttpHeaders shows). Exposed for tests.
std::vector<std::string> JavaHashMapOrder(const std::vector<std::string>& keys);

}  // namespace flowstate::tasks

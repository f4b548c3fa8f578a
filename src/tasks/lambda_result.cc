#include "tasks/lambda_result.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>

#include "json/json.h"

namespace flowstate::tasks {
namespace {

constexpr std::string_view kInvocationsPrefix = "/2015-03-31/functions/";

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
}

// Percent-encodes everything but RFC 3986 unreserved characters, so a full ARN with a
// ":qualifier" travels as one path segment (the SDKs encode ':' as %3A as well).
std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (IsUnreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// First header named `name` (case-insensitively), or nullptr.
const std::string* FindHeader(const HttpAnswer& answer, std::string_view name) {
  for (const auto& [key, value] : answer.headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return &value;
    }
  }
  return nullptr;
}

std::string HeaderOr(const HttpAnswer& answer, std::string_view name, std::string fallback) {
  const std::string* value = FindHeader(answer, name);
  return value ? *value : std::move(fallback);
}

const std::string* StringField(const json::Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

// The name Step Functions gives the task in a States.DataLimitExceeded cause: the service for an
// optimised integration ('lambda'), the Resource ARN for a function-ARN Resource.
std::string ResourceLabel(const model::OutboundTask& task) {
  return task.kind == model::TaskKind::kLambdaInvoke ? "lambda" : task.resource;
}

TaskResult DataLimitExceeded(const model::OutboundTask& task) {
  return TaskResult::Failure("States.DataLimitExceeded",
                             "The state/task '" + ResourceLabel(task) +
                                 "' returned a result with a size exceeding the maximum number of "
                                 "bytes service limit.");
}

// The cause text of an AmazonServiceException, as the AWS SDK for Java v1 prints it.
std::string ServiceCause(std::string_view message, int status, std::string_view code,
                         std::string_view request_id) {
  std::string cause(message);
  cause += " (Service: AWSLambda; Status Code: ";
  cause += std::to_string(status);
  cause += "; Error Code: ";
  cause += code;
  cause += "; Request ID: ";
  cause += request_id;
  cause += "; Proxy: null)";
  return cause;
}

// A 3xx/4xx/5xx answer from the Lambda service itself (not from the function).
TaskResult ServiceError(const HttpAnswer& answer) {
  auto parsed = json::Parse(answer.body);
  std::string message = answer.body;
  std::string code;
  if (parsed) {
    const std::string* m = StringField(*parsed, "Message");
    if (!m) m = StringField(*parsed, "message");
    message = m ? *m : "null";
    if (const std::string* type = StringField(*parsed, "__type")) {
      code = type->substr(type->find('#') == std::string::npos ? 0 : type->find('#') + 1);
    }
  }
  if (const std::string* header = FindHeader(answer, "x-amzn-ErrorType")) {
    code = header->substr(0, header->find(':'));
  }
  std::string request_id = HeaderOr(answer, "x-amzn-RequestId", "null");
  if (code.empty()) {
    return TaskResult::Failure("Lambda.AWSLambdaException",
                               ServiceCause(message, answer.status, "null", request_id));
  }
  return TaskResult::Failure("Lambda." + code,
                             ServiceCause(message, answer.status, code, request_id));
}

// The function ran and raised (X-Amz-Function-Error): error = its errorType, cause = its error
// payload, verbatim for a function-ARN Resource and compacted for lambda:invoke.
TaskResult FunctionError(const model::OutboundTask& task, const HttpAnswer& answer) {
  auto parsed = json::Parse(answer.body);
  std::string error = "Lambda.Unknown";
  if (parsed) {
    const std::string* type = StringField(*parsed, "errorType");
    if (type && !type->empty()) error = *type;
  }
  if (task.kind == model::TaskKind::kLambdaLegacy || !parsed) {
    return TaskResult::Failure(std::move(error), answer.body);
  }
  return TaskResult::Failure(std::move(error), json::Dump(*parsed));
}

// SdkHttpMetadata as the AWS SDK for Java v1 builds it: AllHttpHeaders is a HashMap of value
// lists keyed case-sensitively; HttpHeaders a case-insensitive TreeMap where a repeated header
// keeps its first spelling and its last value.
json::Json HttpMetadata(const HttpAnswer& answer) {
  std::vector<std::string> names;
  std::map<std::string, json::Json> lists;
  for (const auto& [key, value] : answer.headers) {
    auto [it, inserted] = lists.try_emplace(key, json::Json::array());
    if (inserted) names.push_back(key);
    it->second.push_back(value);
  }
  json::Json all = json::Json::object();
  for (const std::string& name : JavaHashMapOrder(names)) all[name] = std::move(lists[name]);

  std::map<std::string, std::pair<std::string, std::string>> folded;  // lower -> (name, value)
  for (const auto& [key, value] : answer.headers) {
    auto [it, inserted] = folded.try_emplace(ToLower(key), key, value);
    if (!inserted) it->second.second = value;
  }
  json::Json single = json::Json::object();
  for (auto& [lower, entry] : folded) single[entry.first] = entry.second;

  json::Json meta = json::Json::object();
  meta["AllHttpHeaders"] = std::move(all);
  meta["HttpHeaders"] = std::move(single);
  meta["HttpStatusCode"] = answer.status;
  return meta;
}

// The body as JSON when it is JSON, else as a string (a raw, non-JSON payload).
json::Json PayloadValue(const std::string& body) {
  auto parsed = json::Parse(body);
  if (parsed) return std::move(*parsed);
  return json::Json(body);
}

// arn:aws:states:::lambda:invoke's result: the Java SDK's InvokeResult, fields in alphabetical
// order as Step Functions serialises it.
json::Json InvokeResult(const HttpAnswer& answer) {
  json::Json out = json::Json::object();
  if (const std::string* version = FindHeader(answer, "X-Amz-Executed-Version")) {
    out["ExecutedVersion"] = *version;
  }
  if (const std::string* log = FindHeader(answer, "X-Amz-Log-Result")) out["LogResult"] = *log;
  out["Payload"] = PayloadValue(answer.body);
  out["SdkHttpMetadata"] = HttpMetadata(answer);
  json::Json response_meta = json::Json::object();
  response_meta["RequestId"] = HeaderOr(answer, "x-amzn-RequestId", "");
  out["SdkResponseMetadata"] = std::move(response_meta);
  out["StatusCode"] = answer.status;
  return out;
}

// The invoke payload: JSON text strings are sent as they are, other strings as JSON strings,
// null or absent as an empty body (which Lambda hands to the function as {}).
std::string InvokePayload(const json::Json& params) {
  auto it = params.find("Payload");
  if (it == params.end() || it->is_null()) return {};
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    if (json::Parse(text)) return text;
  }
  return json::Dump(*it);
}

TaskResult MissingFunctionName() {
  return TaskResult::Failure(
      "Lambda.ValidationException",
      ServiceCause("1 validation error detected: Value null at 'functionName' failed to satisfy "
                   "constraint: Member must not be null",
                   400, "ValidationException", "null"));
}

}  // namespace

LambdaRequestOrFailure BuildLambdaRequest(const model::OutboundTask& task) {
  LambdaRequestOrFailure result;
  LambdaRequest& request = result.request;
  request.invocation_type = "RequestResponse";
  std::string function = task.function_name;
  std::string qualifier;
  if (task.kind == model::TaskKind::kLambdaLegacy) {
    if (function.empty()) function = task.resource;
    request.body = json::Dump(task.parameters);
  } else {
    const json::Json& params = task.parameters;
    if (const std::string* name = StringField(params, "FunctionName")) function = *name;
    if (const std::string* q = StringField(params, "Qualifier")) qualifier = *q;
    if (const std::string* t = StringField(params, "InvocationType")) request.invocation_type = *t;
    if (const std::string* l = StringField(params, "LogType")) request.log_type = *l;
    if (const std::string* c = StringField(params, "ClientContext")) request.client_context = *c;
    if (params.is_object()) request.body = InvokePayload(params);
  }
  if (function.empty()) {
    result.failure = MissingFunctionName();
    return result;
  }
  request.target = std::string(kInvocationsPrefix) + UrlEncode(function) + "/invocations";
  if (!qualifier.empty()) request.target += "?Qualifier=" + UrlEncode(qualifier);
  result.ok = true;
  return result;
}

TaskResult LambdaResultFromResponse(const model::OutboundTask& task, const HttpAnswer& answer) {
  if (answer.status >= 300) return ServiceError(answer);
  if (FindHeader(answer, "X-Amz-Function-Error")) return FunctionError(task, answer);
  if (answer.body.size() > kTaskResultLimitBytes) return DataLimitExceeded(task);
  if (task.kind == model::TaskKind::kLambdaLegacy) {
    return TaskResult::Success(PayloadValue(answer.body));
  }
  return TaskResult::Success(InvokeResult(answer));
}

TaskResult LambdaTransportFailure(const model::OutboundTask& task, TransportFailure failure,
                                  std::string_view host_port, std::string_view detail) {
  switch (failure) {
    case TransportFailure::kConnectFailed:
      return TaskResult::Failure("Lambda.SdkClientException",
                                 "Unable to execute HTTP request: Connect to " +
                                     std::string(host_port) + " failed: " + std::string(detail));
    case TransportFailure::kConnectionLost:
      return TaskResult::Failure("Lambda.SdkClientException",
                                 "Unable to execute HTTP request: " + std::string(detail));
    case TransportFailure::kTimedOut:
      if (task.timeout_seconds) {
        TaskResult r = TaskResult::Failure("States.Timeout", "");
        r.timed_out = true;
        return r;
      }
      return TaskResult::Failure("Lambda.SdkClientException",
                                 "Unable to execute HTTP request: Read timed out");
    case TransportFailure::kBodyTooLarge:
      return DataLimitExceeded(task);
  }
  return TaskResult::Failure("Lambda.SdkClientException", std::string(detail));
}

std::vector<std::string> JavaHashMapOrder(const std::vector<std::string>& keys) {
  // java.util.HashMap: String.hashCode spread as h ^ (h >>> 16), bucket = hash & (capacity - 1),
  // capacity 16 doubled while size > 0.75 * capacity; a bucket keeps insertion order (also
  // across resizes).
  size_t capacity = 16;
  while (keys.size() > capacity * 3 / 4) capacity *= 2;
  std::vector<std::pair<uint32_t, size_t>> slots;  // (bucket, insertion index)
  slots.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    uint32_t h = 0;
    for (unsigned char c : keys[i]) h = 31 * h + c;
    h ^= h >> 16;
    slots.emplace_back(h & static_cast<uint32_t>(capacity - 1), i);
  }
  std::stable_sort(slots.begin(), slots.end());
  std::vector<std::string> ordered;
  ordered.reserve(keys.size());
  for (const auto& slot : slots) ordered.push_back(keys[slot.second]);
  return ordered;
}

}  // namespace flowstate::tasks

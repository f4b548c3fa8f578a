#include "tasks/lambda_result.h"

#include <gtest/gtest.h>

#include "json/json.h"

namespace flowstate::tasks {
namespace {

using json::Json;

model::OutboundTask InvokeTask(Json params) {
  model::OutboundTask task;
  task.kind = model::TaskKind::kLambdaInvoke;
  task.resource = "arn:aws:states:::lambda:invoke";
  task.parameters = std::move(params);
  return task;
}

model::OutboundTask LegacyTask(Json payload) {
  model::OutboundTask task;
  task.kind = model::TaskKind::kLambdaLegacy;
  task.resource = "arn:aws:lambda:us-east-1:111111111111:function:sfnconf_identity_1";
  task.function_name = task.resource;
  task.parameters = std::move(payload);
  return task;
}

// The headers AWS Lambda (and run.py's stand-in) send with a RequestResponse answer, in the
// stand-in's order.
HttpAnswer AwsAnswer(std::string body) {
  HttpAnswer a;
  a.status = 200;
  a.headers = {{"Date", "Mon, 23 Nov 2026 20:00:00 GMT"},
               {"Content-Type", "application/json"},
               {"Content-Length", std::to_string(body.size())},
               {"Connection", "keep-alive"},
               {"x-amzn-RequestId", "rid-1"},
               {"x-amzn-Remapped-Content-Length", "0"},
               {"X-Amz-Executed-Version", "$LATEST"},
               {"X-Amzn-Trace-Id", "root=1-abc"}};
  a.body = std::move(body);
  return a;
}

std::vector<std::string> Keys(const Json& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  return keys;
}

TEST(JavaHashMapOrderTest, MatchesTheOrderAwsRecordedForAllHttpHeaders) {
  std::vector<std::string> arrival = {"Date",
                                      "Content-Type",
                                      "Content-Length",
                                      "Connection",
                                      "x-amzn-RequestId",
                                      "x-amzn-Remapped-Content-Length",
                                      "X-Amz-Executed-Version",
                                      "X-Amzn-Trace-Id"};
  std::vector<std::string> recorded = {"X-Amz-Executed-Version",
                                       "x-amzn-Remapped-Content-Length",
                                       "Connection",
                                       "x-amzn-RequestId",
                                       "Content-Length",
                                       "Date",
                                       "X-Amzn-Trace-Id",
                                       "Content-Type"};
  EXPECT_EQ(JavaHashMapOrder(arrival), recorded);
  std::vector<std::string> with_log = arrival;
  with_log.push_back("X-Amz-Log-Result");
  EXPECT_EQ(JavaHashMapOrder(with_log).front(), "X-Amz-Log-Result");  // as recorded with LogType
}

TEST(LambdaResultTest, InvokeSuccessIsTheWrappedSdkResponse) {
  auto result =
      LambdaResultFromResponse(InvokeTask(Json::object()), AwsAnswer(R"({"a": 1, "b": [1, 2]})"));
  ASSERT_TRUE(result.ok);
  const Json& out = result.output;
  EXPECT_EQ(Keys(out), (std::vector<std::string>{"ExecutedVersion", "Payload", "SdkHttpMetadata",
                                                 "SdkResponseMetadata", "StatusCode"}));
  EXPECT_EQ(out["ExecutedVersion"], "$LATEST");
  EXPECT_EQ(json::Dump(out["Payload"]), R"({"a":1,"b":[1,2]})");
  EXPECT_EQ(out["StatusCode"], 200);
  EXPECT_EQ(out["SdkResponseMetadata"], Json::parse(R"({"RequestId":"rid-1"})"));
  const Json& meta = out["SdkHttpMetadata"];
  EXPECT_EQ(Keys(meta),
            (std::vector<std::string>{"AllHttpHeaders", "HttpHeaders", "HttpStatusCode"}));
  EXPECT_EQ(meta["HttpStatusCode"], 200);
  EXPECT_EQ(Keys(meta["AllHttpHeaders"]),
            (std::vector<std::string>{"X-Amz-Executed-Version", "x-amzn-Remapped-Content-Length",
                                      "Connection", "x-amzn-RequestId", "Content-Length", "Date",
                                      "X-Amzn-Trace-Id", "Content-Type"}));
  EXPECT_EQ(meta["AllHttpHeaders"]["Content-Type"], Json::parse(R"(["application/json"])"));
  EXPECT_EQ(meta["AllHttpHeaders"]["Content-Length"], Json::parse(R"(["21"])"));
  EXPECT_EQ(Keys(meta["HttpHeaders"]),
            (std::vector<std::string>{"Connection", "Content-Length", "Content-Type", "Date",
                                      "X-Amz-Executed-Version", "x-amzn-Remapped-Content-Length",
                                      "x-amzn-RequestId", "X-Amzn-Trace-Id"}));
  EXPECT_EQ(meta["HttpHeaders"]["Connection"], "keep-alive");
}

TEST(LambdaResultTest, InvokeWithLogTailCarriesLogResultInAlphabeticalPlace) {
  HttpAnswer answer = AwsAnswer("{}");
  answer.headers.emplace_back("X-Amz-Log-Result", "U1RBUlQ=");
  auto result = LambdaResultFromResponse(InvokeTask(Json::object()), answer);
  ASSERT_TRUE(result.ok);
  EXPECT_EQ(Keys(result.output),
            (std::vector<std::string>{"ExecutedVersion", "LogResult", "Payload", "SdkHttpMetadata",
                                      "SdkResponseMetadata", "StatusCode"}));
  EXPECT_EQ(result.output["LogResult"], "U1RBUlQ=");
}

TEST(LambdaResultTest, RepeatedHeadersListAllValuesAndKeepTheLastAsTheSingleValue) {
  HttpAnswer answer = AwsAnswer("{}");
  answer.headers.emplace_back("x-custom", "one");
  answer.headers.emplace_back("X-Custom", "two");
  answer.headers.emplace_back("x-custom", "three");
  auto result = LambdaResultFromResponse(InvokeTask(Json::object()), answer);
  ASSERT_TRUE(result.ok);
  const Json& meta = result.output["SdkHttpMetadata"];
  EXPECT_EQ(meta["AllHttpHeaders"]["x-custom"], Json::parse(R"(["one","three"])"));
  EXPECT_EQ(meta["AllHttpHeaders"]["X-Custom"], Json::parse(R"(["two"])"));
  EXPECT_EQ(meta["HttpHeaders"]["x-custom"], "three");
  EXPECT_FALSE(meta["HttpHeaders"].contains("X-Custom"));
}

TEST(LambdaResultTest, RawAndEmptyPayloadsBecomeStrings) {
  auto raw = LambdaResultFromResponse(InvokeTask(Json::object()), AwsAnswer("not json"));
  ASSERT_TRUE(raw.ok);
  EXPECT_EQ(raw.output["Payload"], "not json");
  auto quoted = LambdaResultFromResponse(LegacyTask(Json::object()), AwsAnswer(R"("HelloWorld!")"));
  ASSERT_TRUE(quoted.ok);
  EXPECT_EQ(quoted.output, "HelloWorld!");
  HttpAnswer event;  // InvocationType Event: 202, no body, no executed version
  event.status = 202;
  event.headers = {{"x-amzn-RequestId", "rid-2"}, {"Content-Length", "0"}};
  auto queued = LambdaResultFromResponse(InvokeTask(Json::object()), event);
  ASSERT_TRUE(queued.ok);
  EXPECT_EQ(queued.output["Payload"], "");
  EXPECT_EQ(queued.output["StatusCode"], 202);
  EXPECT_FALSE(queued.output.contains("ExecutedVersion"));
}

TEST(LambdaResultTest, LegacySuccessIsThePayloadAsIs) {
  auto result = LambdaResultFromResponse(LegacyTask(Json::object()), AwsAnswer(R"([1, 2.5, "x"])"));
  ASSERT_TRUE(result.ok);
  EXPECT_EQ(json::Dump(result.output), R"([1,2.5,"x"])");
}

constexpr const char* kErrorBody =
    R"({"errorMessage": "Some exception was raised.", "errorType": "Exception", )"
    R"("requestId": "rid-1", "stackTrace": ["  File \"/var/task/handler.py\", line 2"]})";

HttpAnswer FunctionErrorAnswer(std::string body) {
  HttpAnswer answer = AwsAnswer(std::move(body));
  answer.headers.emplace_back("X-Amz-Function-Error", "Unhandled");
  return answer;
}

TEST(LambdaResultTest, LegacyFunctionErrorPassesTheBodyOnVerbatim) {
  auto result =
      LambdaResultFromResponse(LegacyTask(Json::object()), FunctionErrorAnswer(kErrorBody));
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.error, "Exception");
  EXPECT_EQ(result.cause, kErrorBody);
}

TEST(LambdaResultTest, InvokeFunctionErrorCompactsTheBody) {
  auto result =
      LambdaResultFromResponse(InvokeTask(Json::object()), FunctionErrorAnswer(kErrorBody));
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.error, "Exception");
  EXPECT_EQ(result.cause,
            R"({"errorMessage":"Some exception was raised.","errorType":"Exception",)"
            R"("requestId":"rid-1","stackTrace":["  File \"/var/task/handler.py\", line 2"]})");
}

TEST(LambdaResultTest, FunctionErrorWithoutErrorTypeIsLambdaUnknown) {
  auto raw = LambdaResultFromResponse(InvokeTask(Json::object()), FunctionErrorAnswer("boom"));
  ASSERT_FALSE(raw.ok);
  EXPECT_EQ(raw.error, "Lambda.Unknown");
  EXPECT_EQ(raw.cause, "boom");
  auto untyped =
      LambdaResultFromResponse(InvokeTask(Json::object()), FunctionErrorAnswer(R"({"x": 1})"));
  EXPECT_EQ(untyped.error, "Lambda.Unknown");
  EXPECT_EQ(untyped.cause, R"({"x":1})");
}

TEST(LambdaResultTest, ServiceErrorReadsAsTheJavaSdkException) {
  HttpAnswer answer;
  answer.status = 404;
  answer.headers = {{"Content-Type", "application/json"},
                    {"x-amzn-RequestId", "rid-404"},
                    {"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"}};
  answer.body =
      R"({"Type": "User", "Message": "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST"})";
  for (auto task : {InvokeTask(Json::object()), LegacyTask(Json::object())}) {
    auto result = LambdaResultFromResponse(task, answer);
    ASSERT_FALSE(result.ok);
    EXPECT_EQ(result.error, "Lambda.ResourceNotFoundException");
    EXPECT_EQ(result.cause,
              "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST "
              "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
              "Request ID: rid-404; Proxy: null)");
  }
}

TEST(LambdaResultTest, ServiceErrorWithoutCodeOrJson) {
  HttpAnswer answer;
  answer.status = 502;
  answer.body = "Bad Gateway";
  auto result = LambdaResultFromResponse(InvokeTask(Json::object()), answer);
  EXPECT_EQ(result.error, "Lambda.AWSLambdaException");
  EXPECT_EQ(result.cause,
            "Bad Gateway (Service: AWSLambda; Status Code: 502; Error Code: null; Request ID: "
            "null; Proxy: null)");
}

TEST(LambdaResultTest, OversizedResultIsDataLimitExceeded) {
  std::string big(kTaskResultLimitBytes + 1, 'a');
  auto invoke = LambdaResultFromResponse(InvokeTask(Json::object()), AwsAnswer(big));
  EXPECT_EQ(invoke.error, "States.DataLimitExceeded");
  EXPECT_EQ(invoke.cause,
            "The state/task 'lambda' returned a result with a size exceeding the maximum number "
            "of bytes service limit.");
  auto legacy = LambdaResultFromResponse(LegacyTask(Json::object()), AwsAnswer(big));
  EXPECT_EQ(legacy.cause,
            "The state/task 'arn:aws:lambda:us-east-1:111111111111:function:sfnconf_identity_1' "
            "returned a result with a size exceeding the maximum number of bytes service limit.");
  auto at_limit = LambdaResultFromResponse(LegacyTask(Json::object()),
                                           AwsAnswer(std::string(kTaskResultLimitBytes, 'a')));
  EXPECT_TRUE(at_limit.ok);
}

TEST(LambdaRequestTest, InvokePayloadRules) {
  auto body = [](Json payload) {
    Json params = Json::object();
    params["FunctionName"] = "f";
    if (!payload.is_discarded()) params["Payload"] = std::move(payload);
    auto built = BuildLambdaRequest(InvokeTask(std::move(params)));
    EXPECT_TRUE(built.ok);
    return built.request.body;
  };
  EXPECT_EQ(body(Json(nullptr)), "");
  EXPECT_EQ(body(Json(Json::value_t::discarded)), "");
  EXPECT_EQ(body(Json::parse(R"({"a": [1, 2]})")), R"({"a":[1,2]})");
  EXPECT_EQ(body(Json("\"HelloWorld\"")), "\"HelloWorld\"");  // JSON text: as is
  EXPECT_EQ(body(Json("{\"x\": 1}")), "{\"x\": 1}");          // JSON text: as is
  EXPECT_EQ(body(Json("Hello")), "\"Hello\"");                // other text: a JSON string
  EXPECT_EQ(body(Json(0.0)), "0.0");
}

TEST(LambdaRequestTest, InvokeTargetAndHeaders) {
  auto built = BuildLambdaRequest(InvokeTask(Json::parse(
      R"({"FunctionName": "arn:aws:lambda:us-east-1:111111111111:function:f:$LATEST",)"
      R"( "Qualifier": "7", "InvocationType": "Event", "LogType": "Tail", "ClientContext": "e30="})")));
  ASSERT_TRUE(built.ok);
  EXPECT_EQ(built.request.target,
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A111111111111%3Afunction%3Af%3A%"
            "24LATEST/invocations?Qualifier=7");
  EXPECT_EQ(built.request.invocation_type, "Event");
  EXPECT_EQ(built.request.log_type, "Tail");
  EXPECT_EQ(built.request.client_context, "e30=");
  EXPECT_EQ(built.request.body, "");
}

TEST(LambdaRequestTest, LegacySendsTheCompactInputToTheResourceFunction) {
  auto built =
      BuildLambdaRequest(LegacyTask(Json::parse(R"({"FunctionName": "other", "b": [1]})")));
  ASSERT_TRUE(built.ok);
  EXPECT_EQ(built.request.target,
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A111111111111%3Afunction%3A"
            "sfnconf_identity_1/invocations");
  EXPECT_EQ(built.request.body, R"({"FunctionName":"other","b":[1]})");
  EXPECT_EQ(built.request.invocation_type, "RequestResponse");
}

TEST(LambdaRequestTest, MissingFunctionNameFailsTheTask) {
  auto built = BuildLambdaRequest(InvokeTask(Json::parse(R"({"Payload": {}})")));
  ASSERT_FALSE(built.ok);
  EXPECT_EQ(built.failure.error, "Lambda.ValidationException");
}

TEST(LambdaTransportFailureTest, TimeoutIsStatesTimeoutOnlyWithTimeoutSeconds) {
  auto task = InvokeTask(Json::object());
  auto plain = LambdaTransportFailure(task, TransportFailure::kTimedOut, "127.0.0.1:1", "");
  EXPECT_EQ(plain.error, "Lambda.SdkClientException");
  EXPECT_FALSE(plain.timed_out);
  task.timeout_seconds = 5;
  auto timed = LambdaTransportFailure(task, TransportFailure::kTimedOut, "127.0.0.1:1", "");
  EXPECT_EQ(timed.error, "States.Timeout");
  EXPECT_EQ(timed.cause, "");
  EXPECT_TRUE(timed.timed_out);
  auto refused = LambdaTransportFailure(task, TransportFailure::kConnectFailed, "127.0.0.1:1",
                                        "Connection refused");
  EXPECT_EQ(refused.error, "Lambda.SdkClientException");
  EXPECT_EQ(refused.cause,
            "Unable to execute HTTP request: Connect to 127.0.0.1:1 failed: Connection refused");
}

}  // namespace
}  // namespace flowstate::tasks

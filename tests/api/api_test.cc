#include "api/api.h"

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "api/arns.h"
#include "api/page_token.h"
#include "api_harness.h"
#include "json/json.h"
#include "runtime/lambda_task_dispatcher.h"
#include "runtime/runtime.h"
#include "runtime/timer_service.h"
#include "store/memory/memory_store.h"

namespace flowstate::api {
namespace {

constexpr const char* kSm = "arn:aws:states:us-east-1:123456789012:stateMachine:";
constexpr const char* kPass = R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})";
constexpr const char* kWait =
    R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"End":true}}})";

class ApiTest : public ApiHarness {
 protected:
  std::string Create(const std::string& name, const std::string& definition = kPass,
                     const std::string& type = "STANDARD") {
    Reply reply = Call("CreateStateMachine", {{"name", name},
                                              {"definition", definition},
                                              {"roleArn", "arn:aws:iam::123456789012:role/r"},
                                              {"type", type}});
    EXPECT_EQ(reply.status, 200) << reply.body.dump();
    return reply.body.value("stateMachineArn", "");
  }

  std::string WaitForStatus(const std::string& execution_arn, const std::string& status) {
    const auto give_up = std::chrono::steady_clock::now() + kHangGuard;
    std::string current;
    while (std::chrono::steady_clock::now() < give_up) {
      current =
          Call("DescribeExecution", {{"executionArn", execution_arn}}).body.value("status", "");
      if (current == status) {
        break;
      }
      std::this_thread::yield();
    }
    return current;
  }
};

TEST_F(ApiTest, ProtocolErrors) {
  Reply unknown = Raw("AWSStepFunctions.NoSuchThing", "{}");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.type(), "UnknownOperationException");
  EXPECT_EQ(Raw("", "{}").type(), "UnknownOperationException");
  EXPECT_EQ(Raw("AWSStepFunctions.ListStateMachines", "{not json").type(),
            "SerializationException");
  EXPECT_EQ(Raw("AWSStepFunctions.ListStateMachines", "[1]").type(), "SerializationException");
  // An empty body is an empty request.
  EXPECT_EQ(Raw("AWSStepFunctions.ListStateMachines", "").status, 200);
}

TEST_F(ApiTest, CreateStateMachineValidation) {
  Reply missing =
      Call("CreateStateMachine", {{"definition", kPass}, {"roleArn", "arn:aws:iam::1:role/r"}});
  EXPECT_EQ(missing.type(), "ValidationException");
  EXPECT_NE(missing.body["message"].get<std::string>().find("'name'"), std::string::npos);

  Reply wrong_type =
      Call("CreateStateMachine",
           {{"name", 5}, {"definition", kPass}, {"roleArn", "arn:aws:iam::1:role/r"}});
  EXPECT_EQ(wrong_type.type(), "SerializationException");

  Reply bad_name =
      Call("CreateStateMachine",
           {{"name", "has space"}, {"definition", kPass}, {"roleArn", "arn:aws:iam::1:role/r"}});
  EXPECT_EQ(bad_name.type(), "InvalidName");

  Reply bad_definition = Call(
      "CreateStateMachine",
      {{"name", "m"}, {"definition", R"({"StartAt":"A"})"}, {"roleArn", "arn:aws:iam::1:role/r"}});
  EXPECT_EQ(bad_definition.type(), "InvalidDefinition");
  EXPECT_EQ(bad_definition.body["message"],
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are "
            "required: [States] at /'");

  Reply bad_enum = Call("CreateStateMachine", {{"name", "m"},
                                               {"definition", kPass},
                                               {"roleArn", "arn:aws:iam::1:role/r"},
                                               {"type", "FAST"}});
  EXPECT_EQ(bad_enum.type(), "ValidationException");
}

TEST_F(ApiTest, CreateIsIdempotentAndConflictsOnChange) {
  const std::string arn = Create("m");
  EXPECT_EQ(arn, std::string(kSm) + "m");
  EXPECT_EQ(Create("m"), arn);
  Reply conflict =
      Call("CreateStateMachine",
           {{"name", "m"}, {"definition", kWait}, {"roleArn", "arn:aws:iam::1:role/r"}});
  EXPECT_EQ(conflict.type(), "StateMachineAlreadyExists");

  Reply described = Call("DescribeStateMachine", {{"stateMachineArn", arn}});
  EXPECT_EQ(described.body["definition"], kPass);
  EXPECT_EQ(described.body["type"], "STANDARD");
  EXPECT_EQ(described.body["status"], "ACTIVE");
  EXPECT_DOUBLE_EQ(described.body["creationDate"].get<double>(), 1700000000.123);
}

TEST_F(ApiTest, ArnErrors) {
  EXPECT_EQ(Call("DescribeStateMachine", {{"stateMachineArn", "nope"}}).type(), "InvalidArn");
  EXPECT_EQ(Call("DescribeStateMachine",
                 {{"stateMachineArn", "arn:aws:states:us-east-1:123456789012:execution:a:b"}})
                .type(),
            "InvalidArn");
  EXPECT_EQ(Call("DescribeStateMachine", {{"stateMachineArn", std::string(kSm) + "ghost"}}).type(),
            "StateMachineDoesNotExist");
  EXPECT_EQ(Call("DescribeExecution",
                 {{"executionArn", "arn:aws:states:us-east-1:123456789012:execution:a:b"}})
                .type(),
            "ExecutionDoesNotExist");
  EXPECT_EQ(Call("StartExecution", {{"stateMachineArn", std::string(kSm) + "ghost"}}).type(),
            "StateMachineDoesNotExist");
}

TEST_F(ApiTest, StartExecutionInputRulesAndIdempotency) {
  const std::string sm = Create("m", kWait);
  Reply too_big = Call("StartExecution", {{"stateMachineArn", sm},
                                          {"input", "\"" + std::string(300 * 1024, 'x') + "\""}});
  EXPECT_EQ(too_big.type(), "ValidationException");
  Reply not_json = Call("StartExecution", {{"stateMachineArn", sm}, {"input", "{oops"}});
  EXPECT_EQ(not_json.type(), "InvalidExecutionInput");
  EXPECT_EQ(Call("StartExecution", {{"stateMachineArn", sm}, {"name", "a/b"}}).type(),
            "InvalidName");

  Reply first = Call("StartExecution", {{"stateMachineArn", sm}, {"name", "e"}, {"input", "{}"}});
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body["executionArn"], "arn:aws:states:us-east-1:123456789012:execution:m:e");
  Reply again = Call("StartExecution", {{"stateMachineArn", sm}, {"name", "e"}, {"input", "{}"}});
  EXPECT_EQ(again.body, first.body);
  Reply other = Call("StartExecution", {{"stateMachineArn", sm}, {"name", "e"}, {"input", "[]"}});
  EXPECT_EQ(other.type(), "ExecutionAlreadyExists");
}

TEST_F(ApiTest, ExecutionLifecycleHistoryAndStop) {
  const std::string sm = Create("m", kWait);
  const std::string arn =
      Call("StartExecution", {{"stateMachineArn", sm}, {"name", "e"}}).body["executionArn"];
  ASSERT_EQ(WaitForStatus(arn, "RUNNING"), "RUNNING");

  Reply stopped = Call("StopExecution", {{"executionArn", arn}, {"error", "E"}, {"cause", "C"}});
  ASSERT_EQ(stopped.status, 200) << stopped.body.dump();
  EXPECT_TRUE(stopped.body["stopDate"].is_number());
  Reply described = Call("DescribeExecution", {{"executionArn", arn}});
  EXPECT_EQ(described.body["status"], "ABORTED");
  EXPECT_EQ(described.body["error"], "E");

  Reply history = Call("GetExecutionHistory", {{"executionArn", arn}, {"maxResults", 1}});
  ASSERT_EQ(history.body["events"].size(), 1u);
  EXPECT_EQ(history.body["events"][0]["type"], "ExecutionStarted");
  ASSERT_TRUE(history.body.contains("nextToken"));
  Reply reversed = Call("GetExecutionHistory", {{"executionArn", arn}, {"reverseOrder", true}});
  EXPECT_EQ(reversed.body["events"][0]["type"], "ExecutionAborted");
  // A forward token is not valid for a reverse listing.
  Reply mixed = Call(
      "GetExecutionHistory",
      {{"executionArn", arn}, {"reverseOrder", true}, {"nextToken", history.body["nextToken"]}});
  EXPECT_EQ(mixed.type(), "InvalidToken");
  Reply no_data =
      Call("GetExecutionHistory", {{"executionArn", arn}, {"includeExecutionData", false}});
  EXPECT_FALSE(no_data.body["events"][0]["executionStartedEventDetails"].contains("input"));
}

TEST_F(ApiTest, ListExecutionsPagesAndFilters) {
  const std::string sm = Create("m");
  for (int i = 0; i < 3; ++i) {
    const std::string arn =
        Call("StartExecution", {{"stateMachineArn", sm}, {"name", "e" + std::to_string(i)}})
            .body["executionArn"];
    ASSERT_EQ(WaitForStatus(arn, "SUCCEEDED"), "SUCCEEDED");
  }
  Reply page = Call("ListExecutions", {{"stateMachineArn", sm}, {"maxResults", 2}});
  ASSERT_EQ(page.body["executions"].size(), 2u);
  EXPECT_EQ(page.body["executions"][0]["name"], "e2");
  Reply rest =
      Call("ListExecutions",
           {{"stateMachineArn", sm}, {"maxResults", 2}, {"nextToken", page.body["nextToken"]}});
  ASSERT_EQ(rest.body["executions"].size(), 1u);
  EXPECT_EQ(rest.body["executions"][0]["name"], "e0");
  EXPECT_FALSE(rest.body.contains("nextToken"));

  EXPECT_EQ(Call("ListExecutions", {{"stateMachineArn", sm}, {"statusFilter", "RUNNING"}})
                .body["executions"]
                .size(),
            0u);
  EXPECT_EQ(Call("ListExecutions", {{"stateMachineArn", sm}, {"statusFilter", "NOPE"}}).type(),
            "ValidationException");
  EXPECT_EQ(Call("ListExecutions", {{"stateMachineArn", sm}, {"nextToken", "garbage"}}).type(),
            "InvalidToken");
  EXPECT_EQ(Call("ListExecutions", {{"stateMachineArn", sm}, {"maxResults", 5000}}).type(),
            "ValidationException");
  EXPECT_EQ(Call("ListExecutions", json::Json::object()).type(), "ValidationException");
}

TEST_F(ApiTest, UpdateKeepsRunningRevision) {
  const std::string sm = Create("m");
  const std::string arn =
      Call("StartExecution", {{"stateMachineArn", sm}, {"name", "e"}}).body["executionArn"];
  EXPECT_EQ(Call("UpdateStateMachine", {{"stateMachineArn", sm}}).type(),
            "MissingRequiredParameter");
  Reply updated = Call("UpdateStateMachine", {{"stateMachineArn", sm}, {"definition", kWait}});
  ASSERT_EQ(updated.status, 200) << updated.body.dump();
  EXPECT_TRUE(updated.body["revisionId"].is_string());
  EXPECT_EQ(Call("DescribeStateMachine", {{"stateMachineArn", sm}}).body["definition"], kWait);
  EXPECT_EQ(Call("DescribeStateMachineForExecution", {{"executionArn", arn}}).body["definition"],
            kPass);
  EXPECT_EQ(Call("UpdateStateMachine", {{"stateMachineArn", sm}, {"definition", "{}"}}).type(),
            "InvalidDefinition");
}

TEST_F(ApiTest, ListAndDeleteStateMachines) {
  Create("b");
  Create("a");
  Reply page = Call("ListStateMachines", {{"maxResults", 1}});
  ASSERT_EQ(page.body["stateMachines"].size(), 1u);
  EXPECT_EQ(page.body["stateMachines"][0]["name"], "a");
  Reply rest = Call("ListStateMachines", {{"nextToken", page.body["nextToken"]}});
  EXPECT_EQ(rest.body["stateMachines"][0]["name"], "b");
  EXPECT_EQ(Call("DeleteStateMachine", {{"stateMachineArn", std::string(kSm) + "a"}}).status, 200);
  EXPECT_EQ(Call("ListStateMachines", json::Json::object()).body["stateMachines"].size(), 1u);
  EXPECT_EQ(Call("DeleteStateMachine", {{"stateMachineArn", "bad"}}).type(), "InvalidArn");
}

TEST_F(ApiTest, StartSyncExecution) {
  const std::string standard = Create("std");
  EXPECT_EQ(Call("StartSyncExecution", {{"stateMachineArn", standard}}).type(),
            "StateMachineTypeNotSupported");
  const std::string express = Create(
      "exp", R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":7,"End":true}}})", "EXPRESS");
  Reply reply =
      Call("StartSyncExecution", {{"stateMachineArn", express}, {"name", "x"}, {"input", "{}"}});
  ASSERT_EQ(reply.status, 200) << reply.body.dump();
  EXPECT_EQ(reply.body["status"], "SUCCEEDED");
  EXPECT_EQ(reply.body["output"], "7");
  EXPECT_EQ(reply.body["executionArn"].get<std::string>().rfind(
                "arn:aws:states:us-east-1:123456789012:express:exp:x:", 0),
            0u);
  Reply failing = Call(
      "StartSyncExecution",
      {{"stateMachineArn",
        Create("fail", R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}})",
               "EXPRESS")}});
  EXPECT_EQ(failing.status, 200);
  EXPECT_EQ(failing.body["status"], "FAILED");
  EXPECT_EQ(failing.body["error"], "E");
  EXPECT_EQ(failing.body["cause"], "C");
}

TEST_F(ApiTest, ValidateStateMachineDefinition) {
  Reply ok = Call("ValidateStateMachineDefinition", {{"definition", kPass}});
  EXPECT_EQ(ok.body["result"], "OK");
  EXPECT_EQ(ok.body["diagnostics"].size(), 0u);
  Reply bad = Call("ValidateStateMachineDefinition", {{"definition", R"({"StartAt":"A"})"}});
  EXPECT_EQ(bad.body["result"], "FAIL");
  EXPECT_EQ(bad.body["diagnostics"][0]["code"], "SCHEMA_VALIDATION_FAILED");
  EXPECT_EQ(bad.body["diagnostics"][0]["location"], "/");
  EXPECT_EQ(bad.body["truncated"], false);
  EXPECT_EQ(Call("ValidateStateMachineDefinition", json::Json::object()).type(),
            "ValidationException");
}

TEST(ArnsTest, ParseAndNames) {
  EXPECT_TRUE(ParseArn("arn:aws:states:us-east-1:1:stateMachine:m", Allow(ArnKind::kStateMachine)));
  auto execution = ParseArn("arn:aws:states:us-east-1:1:execution:m:e", Allow(ArnKind::kExecution));
  ASSERT_TRUE(execution);
  EXPECT_EQ(execution->machine, "m");
  EXPECT_EQ(execution->execution, "e");
  EXPECT_FALSE(ParseArn("arn:aws:states:us-east-1:1:execution:m:e", Allow(ArnKind::kStateMachine)));
  EXPECT_FALSE(ParseArn("arn:aws:lambda:us-east-1:1:function:f", Allow(ArnKind::kStateMachine)));
  EXPECT_TRUE(IsValidName("Hello_World-1"));
  EXPECT_TRUE(IsValidName("ünïcode"));
  EXPECT_TRUE(CheckNameLength("x", "name"));
  EXPECT_EQ(CheckNameLength("", "name").error().type, "ValidationException");
  EXPECT_EQ(CheckNameLength(std::string(81, 'a'), "name").error().message,
            "1 validation error detected: Value '" + std::string(81, 'a') +
                "' at 'name' failed to satisfy constraint: Member must have length less than or "
                "equal to 80");
  EXPECT_TRUE(CheckNameLength("ü" + std::string(79, 'a'), "name"));
  EXPECT_FALSE(IsValidName("a b"));
  EXPECT_FALSE(IsValidName("a:b"));
  EXPECT_FALSE(IsValidName("a\x01"));
}

TEST(PageTokenTest, RoundTripsAndRejectsForeignTokens) {
  const std::string token = EncodePageToken("ListExecutions", "42");
  EXPECT_EQ(DecodePageToken("ListExecutions", token).value_or(""), "42");
  EXPECT_FALSE(DecodePageToken("ListStateMachines", token));
  EXPECT_FALSE(DecodePageToken("ListExecutions", "!!!"));
  EXPECT_FALSE(DecodePageToken("ListExecutions", std::string(2000, 'A')));
}

}  // namespace
}  // namespace flowstate::api

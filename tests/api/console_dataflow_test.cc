// Api::DataFlow: each stage of a recorded state visit, computed by the engine's data-flow code
// on what history recorded: `$$`, workflow variables (per Parallel branch / Map iteration),
// JSONata Arguments/Output/Assign, and "not available" where a replay cannot be exact.
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "api/api.h"
#include "api_harness.h"
#include "json/json.h"
#include "runtime/lambda_task_dispatcher.h"
#include "runtime/runtime.h"
#include "runtime/timer_service.h"
#include "store/memory/memory_store.h"

namespace flowstate::api {
namespace {

class ConsoleDataFlowTest : public ApiHarness {
 protected:
  // An operation that must succeed: its answer's body.
  json::Json Call(const std::string& operation, const json::Json& body) {
    Reply reply = ApiHarness::Call(operation, body);
    EXPECT_EQ(reply.status, 200) << operation << ": " << reply.body.dump();
    return reply.body;
  }

  // Runs `definition` on `input` as execution `name`; with `activity_result`, answers its one
  // activity task with that output. Returns the execution ARN once it succeeded.
  std::string Run(const std::string& definition, const json::Json& input,
                  const std::string& name = "run1", const json::Json& activity_result = nullptr) {
    json::Json machine = Call(
        "CreateStateMachine",
        {{"name", "m-" + name}, {"definition", definition}, {"roleArn", "arn:aws:iam::1:role/r"}});
    json::Json started = Call("StartExecution", {{"stateMachineArn", machine["stateMachineArn"]},
                                                 {"name", name},
                                                 {"input", json::Dump(input)}});
    const std::string arn = started.value("executionArn", "");
    if (!activity_result.is_null()) {
      json::Json task = Call("GetActivityTask", {{"activityArn", activity_arn_}});
      Call("SendTaskSuccess",
           {{"taskToken", task["taskToken"]}, {"output", json::Dump(activity_result)}});
    }
    const auto give_up = std::chrono::steady_clock::now() + kHangGuard;
    while (std::chrono::steady_clock::now() < give_up &&
           Call("DescribeExecution", {{"executionArn", arn}}).value("status", "") == "RUNNING") {
      std::this_thread::yield();
    }
    json::Json described = Call("DescribeExecution", {{"executionArn", arn}});
    EXPECT_EQ(described.value("status", ""), "SUCCEEDED") << described.dump();
    return arn;
  }

  std::string CreateActivity() {
    activity_arn_ = Call("CreateActivity", {{"name", "approve"}}).value("activityArn", "");
    return activity_arn_;
  }

  // The ...StateEntered event of the `nth` visit of `state`.
  json::Json Entered(const std::string& arn, const std::string& state, int nth = 0) {
    json::Json history = Call("GetExecutionHistory", {{"executionArn", arn}, {"maxResults", 1000}});
    for (const json::Json& event : history["events"]) {
      const std::string type = event.value("type", "");
      if (type.size() > 12 && type.ends_with("StateEntered") &&
          event["stateEnteredEventDetails"].value("name", "") == state && nth-- == 0) {
        return event;
      }
    }
    ADD_FAILURE() << "no visit of " << state;
    return json::Json();
  }

  // Stage name -> its value (parsed) or {"note": ...}.
  json::Json Stages(const std::string& arn, const std::string& state, int nth = 0) {
    auto answer =
        api_.DataFlow({{"executionArn", arn}, {"enteredEventId", Entered(arn, state, nth)["id"]}});
    EXPECT_TRUE(answer.has_value()) << (answer ? "" : answer.error().message);
    json::Json stages = json::Json::object();
    if (!answer) return stages;
    for (const json::Json& stage : (*answer)["stages"]) {
      stages[stage["stage"].get<std::string>()] =
          stage.contains("value") ? *json::Parse(stage["value"].get<std::string>())
                                  : json::Json{{"note", stage["note"]}};
    }
    return stages;
  }

  std::string activity_arn_;
};

TEST_F(ConsoleDataFlowTest, JsonPathStagesReadContextObjectAndVariables) {
  const std::string arn = Run(R"({"StartAt":"Set","States":{
    "Set":{"Type":"Pass","Assign":{"limit":5,"who.$":"$.name"},"Next":"Use"},
    "Use":{"Type":"Pass","InputPath":"$.order",
           "Parameters":{"limit.$":"$limit","who.$":"$who","exec.$":"$$.Execution.Name",
                         "entered.$":"$$.State.EnteredTime","item.$":"$.item"},
           "ResultPath":"$.used","OutputPath":"$.used","End":true}}})",
                              {{"name", "ada"}, {"order", {{"item", "tea"}}}});
  json::Json set = Stages(arn, "Set");
  EXPECT_EQ(set["Variables"], json::Json::object());
  EXPECT_EQ(set["Assign"], json::Json({{"limit", 5}, {"who", "ada"}}));

  json::Json use = Stages(arn, "Use");
  EXPECT_EQ(use["Variables"], json::Json({{"limit", 5}, {"who", "ada"}}));
  EXPECT_EQ(use["InputPath"], json::Json({{"item", "tea"}}));
  EXPECT_EQ(use["Parameters"]["limit"], 5);
  EXPECT_EQ(use["Parameters"]["who"], "ada");
  EXPECT_EQ(use["Parameters"]["exec"], "run1");
  EXPECT_EQ(use["Parameters"]["item"], "tea");
  // The clock stands still: the state was entered at the test's one instant.
  EXPECT_EQ(use["Parameters"]["entered"], base::FormatIso8601(clock_.Now()));
  EXPECT_EQ(
      use["ResultPath"],
      json::Json({{"name", "ada"}, {"order", {{"item", "tea"}}}, {"used", use["Parameters"]}}));
  EXPECT_EQ(use["OutputPath"], use["Parameters"]);
  EXPECT_EQ(use["Output"], use["Parameters"]);
}

TEST_F(ConsoleDataFlowTest, JsonataTaskShowsArgumentsResultAssignOutput) {
  const std::string activity = CreateActivity();
  const std::string definition = R"({"QueryLanguage":"JSONata","StartAt":"Init","States":{
    "Init":{"Type":"Pass","Assign":{"count":2},"Output":{"items":"{% $states.input.items %}"},
            "Next":"Work"},
    "Work":{"Type":"Task","Resource":")" +
                                 activity + R"(",
            "Arguments":{"n":"{% $count %}","first":"{% $states.input.items[0] %}",
                         "machine":"{% $states.context.StateMachine.Name %}"},
            "Assign":{"count":"{% $count + $states.result.total %}"},
            "Output":{"sum":"{% $states.result.total + $count %}"},"End":true}}})";
  const std::string arn =
      Run(definition, {{"items", {"a", "b"}}}, "jsonata", json::Json{{"total", 10}});
  json::Json work = Stages(arn, "Work");
  EXPECT_EQ(work["Input"], json::Json({{"items", {"a", "b"}}}));
  EXPECT_EQ(work["Variables"], json::Json({{"count", 2}}));
  EXPECT_EQ(work["Arguments"], json::Json({{"n", 2}, {"first", "a"}, {"machine", "m-jsonata"}}));
  EXPECT_EQ(work["Result"], json::Json({{"total", 10}}));
  EXPECT_EQ(work["Assign"], json::Json({{"count", 12}}));
  EXPECT_EQ(work["Output"], json::Json({{"sum", 12}}));
  EXPECT_FALSE(work.contains("InputPath"));  // JSONata states have no JSONPath stages
}

TEST_F(ConsoleDataFlowTest, VariablesFollowParallelBranchesAndMapIterations) {
  const std::string arn = Run(R"({"StartAt":"Top","States":{
    "Top":{"Type":"Pass","Assign":{"x":1},"Next":"Par"},
    "Par":{"Type":"Parallel","ResultSelector":{"a.$":"$[0]","b.$":"$[1]"},"ResultPath":"$.par","Next":"Loop",
      "Branches":[
        {"StartAt":"A1","States":{"A1":{"Type":"Pass","Assign":{"y":10},"Next":"A2"},
                                  "A2":{"Type":"Pass","Parameters":{"x.$":"$x","y.$":"$y"},
                                        "End":true}}},
        {"StartAt":"B1","States":{"B1":{"Type":"Pass","Parameters":{"x.$":"$x"},"End":true}}}]},
    "Loop":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.out","End":true,
      "ItemSelector":{"n.$":"$$.Map.Item.Value"},
      "ItemProcessor":{"StartAt":"Keep","States":{
        "Keep":{"Type":"Pass","Assign":{"v.$":"$.n"},"Next":"Show"},
        "Show":{"Type":"Pass","Parameters":{"v.$":"$v","x.$":"$x"},"End":true}}}}}})",
                              {{"items", {7, 8, 9}}}, "scopes");
  EXPECT_EQ(Stages(arn, "A2")["Variables"], json::Json({{"x", 1}, {"y", 10}}));
  EXPECT_EQ(Stages(arn, "B1")["Variables"], json::Json({{"x", 1}}));  // not the sibling's y
  json::Json par = Stages(arn, "Par");
  EXPECT_EQ(par["Result"], json::Json::parse(R"([{"x":1,"y":10},{"x":1}])"));
  EXPECT_EQ(par["ResultSelector"], json::Json::parse(R"({"a":{"x":1,"y":10},"b":{"x":1}})"));
  for (int i = 0; i < 3; ++i) {
    json::Json show = Stages(arn, "Show", i);
    ASSERT_TRUE(show["Variables"].contains("v")) << show.dump();
    EXPECT_EQ(show["Parameters"], json::Json({{"v", show["Input"]["n"]}, {"x", 1}}));
    EXPECT_EQ(show["Variables"]["v"], show["Input"]["n"]);
  }
  json::Json loop = Stages(arn, "Loop");
  EXPECT_EQ(loop["ItemsPath"], json::Json({7, 8, 9}));
  EXPECT_EQ(loop["ItemSelector"], json::Json::parse(R"([{"n":7},{"n":8},{"n":9}])"));
  EXPECT_EQ(loop["Result"], json::Json::parse(R"([{"v":7,"x":1},{"v":8,"x":1},{"v":9,"x":1}])"));
  EXPECT_EQ(loop["OutputPath"], loop["Output"]);
}

TEST_F(ConsoleDataFlowTest, VariablesSurviveARedriveOfAParallelBranch) {
  const std::string activity = CreateActivity();
  json::Json machine = Call("CreateStateMachine", {{"name", "m-redrive"},
                                                   {"roleArn", "arn:aws:iam::1:role/r"},
                                                   {"definition", R"({"StartAt":"Top","States":{
    "Top":{"Type":"Pass","Assign":{"x":1},"Next":"Par"},
    "Par":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"A1","States":{
        "A1":{"Type":"Pass","Assign":{"y":2},"Next":"A2"},
        "A2":{"Type":"Task","Resource":")" + activity + R"(","ResultPath":"$.task","Next":"A3"},
        "A3":{"Type":"Pass","End":true,"Parameters":{"x.$":"$x","y.$":"$y",
              "redrives.$":"$$.Execution.RedriveCount","task.$":"$.task"}}}},
      {"StartAt":"B1","States":{"B1":{"Type":"Pass","Assign":{"z":3},"End":true}}}]}}})"}});
  const std::string arn = Call("StartExecution", {{"stateMachineArn", machine["stateMachineArn"]},
                                                  {"name", "redriven"}})
                              .value("executionArn", "");
  // The branch's task fails the first time: the execution fails; redriven, it succeeds.
  json::Json task = Call("GetActivityTask", {{"activityArn", activity}});
  Call("SendTaskFailure", {{"taskToken", task["taskToken"]}, {"error", "NotYet"}});
  const auto until = [&](const std::string& status) {
    const auto give_up = std::chrono::steady_clock::now() + kHangGuard;
    while (std::chrono::steady_clock::now() < give_up &&
           Call("DescribeExecution", {{"executionArn", arn}}).value("status", "") != status) {
      std::this_thread::yield();
    }
    ASSERT_EQ(Call("DescribeExecution", {{"executionArn", arn}}).value("status", ""), status);
  };
  until("FAILED");
  // The console's live stream says whether its Redrive button can work.
  auto batch = api_.HistorySince(arn, 0, 100);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ((*batch)["status"], "FAILED");
  EXPECT_EQ((*batch)["redriveStatus"], "REDRIVABLE");
  Call("RedriveExecution", {{"executionArn", arn}});
  task = Call("GetActivityTask", {{"activityArn", activity}});
  Call("SendTaskSuccess", {{"taskToken", task["taskToken"]}, {"output", R"({"ok":true})"}});
  until("SUCCEEDED");

  // The redrive re-entered A2 in the branch's frame: it still reads the branch's y.
  EXPECT_EQ(Stages(arn, "A2", 0)["Variables"], json::Json({{"x", 1}, {"y", 2}}));
  EXPECT_EQ(Stages(arn, "A2", 1)["Variables"], json::Json({{"x", 1}, {"y", 2}}));
  EXPECT_EQ(Stages(arn, "A2", 1)["Result"], json::Json({{"ok", true}}));
  json::Json a3 = Stages(arn, "A3");
  EXPECT_EQ(a3["Variables"], json::Json({{"x", 1}, {"y", 2}}));
  EXPECT_EQ(a3["Parameters"],
            json::Json({{"x", 1}, {"y", 2}, {"redrives", 1}, {"task", {{"ok", true}}}}));
  // The Parallel state's one visit spans the redrive: its result has both branches.
  json::Json par = Stages(arn, "Par");
  EXPECT_EQ(par["Result"][0], a3["Parameters"]);
  EXPECT_EQ(par["Result"][1], json::Json::object());
  EXPECT_EQ(par["Output"], par["Result"]);
  batch = api_.HistorySince(arn, 0, 100);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ((*batch)["redriveStatus"], "NOT_REDRIVABLE");  // it succeeded
}

TEST_F(ConsoleDataFlowTest, CaughtErrorsShowTheCatchersStages) {
  const std::string activity = CreateActivity();
  const std::string definition = R"({"StartAt":"Review","States":{
    "Review":{"Type":"Task","Resource":")" +
                                 activity + R"(","Next":"Done",
      "Catch":[{"ErrorEquals":["Other"],"Next":"Done"},
               {"ErrorEquals":["Denied"],"ResultPath":"$.why","Assign":{"denied.$":"$.Cause"},
                "Next":"Done"}]},
    "Done":{"Type":"Pass","End":true}}})";
  json::Json machine =
      Call("CreateStateMachine",
           {{"name", "m-catch"}, {"definition", definition}, {"roleArn", "arn:aws:iam::1:role/r"}});
  const std::string arn = Call("StartExecution", {{"stateMachineArn", machine["stateMachineArn"]},
                                                  {"input", R"({"order":5})"}})
                              .value("executionArn", "");
  json::Json task = Call("GetActivityTask", {{"activityArn", activity}});
  Call("SendTaskFailure",
       {{"taskToken", task["taskToken"]}, {"error", "Denied"}, {"cause", "too big"}});
  const auto give_up = std::chrono::steady_clock::now() + kHangGuard;
  while (std::chrono::steady_clock::now() < give_up &&
         Call("DescribeExecution", {{"executionArn", arn}}).value("status", "") != "SUCCEEDED") {
    std::this_thread::yield();
  }
  json::Json review = Stages(arn, "Review");
  EXPECT_TRUE(review["Result"].contains("note"));
  const json::Json error_output = {{"Error", "Denied"}, {"Cause", "too big"}};
  EXPECT_EQ(review["Error output"], error_output);
  EXPECT_EQ(review["Assign (Catch)"], json::Json({{"denied", "too big"}}));
  const json::Json output = {{"order", 5}, {"why", error_output}};
  EXPECT_EQ(review["ResultPath (Catch)"], output);
  EXPECT_EQ(review["Output (Catch)"], output);
  EXPECT_EQ(Stages(arn, "Done")["Variables"], json::Json({{"denied", "too big"}}));
}

TEST_F(ConsoleDataFlowTest, ReplayThatCannotReproduceHistoryIsNotAvailable) {
  // A random value: replaying Parameters cannot give what ran, so no stage shows a replay.
  const std::string arn = Run(R"json({"StartAt":"Id","States":{
    "Id":{"Type":"Pass","Parameters":{"id.$":"States.UUID()"},"End":true}}})json",
                              json::Json::object(), "random");
  json::Json id = Stages(arn, "Id");
  ASSERT_TRUE(id["Parameters"].contains("note")) << id.dump();
  EXPECT_NE(id["Parameters"]["note"].get<std::string>().find("not available"), std::string::npos);
  EXPECT_TRUE(id["ResultPath"].contains("note"));
  EXPECT_TRUE(id["Output"]["id"].is_string());  // history's own output is still shown
}

TEST_F(ConsoleDataFlowTest, BadRequests) {
  EXPECT_EQ(api_.DataFlow(json::Json::object()).error().type, "ValidationException");
  const std::string arn = Run(R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})",
                              json::Json::object(), "bad");
  auto not_entry = api_.DataFlow({{"executionArn", arn}, {"enteredEventId", 1}});
  ASSERT_FALSE(not_entry.has_value());
  EXPECT_EQ(not_entry.error().type, "ValidationException");
  auto missing = api_.DataFlow({{"executionArn", arn + "x"}, {"enteredEventId", 2}});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().type, "ExecutionDoesNotExist");
}

}  // namespace
}  // namespace flowstate::api

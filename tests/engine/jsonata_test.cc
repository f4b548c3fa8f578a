// JSONata states and workflow variables in engine::Advance: Output/Arguments/Assign with
// `$states`, entry-value semantics, scopes of Parallel branches and Map iterations, Choice
// rules, Wait/Fail expressions, Catch with $states.errorOutput, QueryEvaluationError and its
// EvaluationFailed event, the variable size limits and snapshot persistence.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asl/definition.h"
#include "asl/state_machine_model.h"
#include "engine/advance.h"
#include "engine_driver.h"
#include "json/json.h"
#include "model/execution_snapshot.h"

namespace flowstate::engine {
namespace {

using json::Json;

Json Parse(const char* text) {
  auto parsed = json::Parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : Json();
}

testing::DriveResult RunMachine(const char* definition, const Json& input,
                                const testing::TaskAnswer& answer = nullptr) {
  auto model = testing::BuildModel(definition);
  if (model == nullptr) return {};
  testing::DriveResult run = testing::Drive(*model, input, answer);
  EXPECT_TRUE(run.problem.empty()) << run.problem;
  EXPECT_TRUE(run.terminal.has_value());
  return run;
}

Json Output(const testing::DriveResult& run) {
  EXPECT_TRUE(run.terminal.has_value());
  if (!run.terminal) return Json();
  EXPECT_EQ(run.terminal->status, model::ExecutionStatus::kSucceeded)
      << run.terminal->error << ": " << run.terminal->cause;
  return run.terminal->output;
}

const model::HistoryEvent* FindEvent(const testing::DriveResult& run, std::string_view type,
                                     size_t nth = 0) {
  for (const auto& event : run.events) {
    if (event.type == type && nth-- == 0) return &event;
  }
  return nullptr;
}

// A task answer echoing {"echo": <parameters>}.
std::optional<model::Input> Echo(const model::OutboundTask& task) {
  model::Input reply;
  reply.kind = model::InputKind::kTaskSucceeded;
  reply.payload = Json{{"echo", task.parameters}};
  return reply;
}

TEST(JsonataEngineTest, PassOutputAndDefaultOutput) {
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
      "A": {"Type": "Pass", "Output": {"sum": "{% $states.input.a + $states.input.b %}"},
            "Next": "B"},
      "B": {"Type": "Pass", "End": true}}})json",
                        Json{{"a", 1}, {"b", 2}});
  EXPECT_EQ(Output(run), Parse(R"json({"sum": 3})json"));
}

TEST(JsonataEngineTest, EachStateReadsItsActualInput) {
  // A JSONata state's output is remembered as the next input's evaluator value; a JSONPath
  // state in between changes the document, and a path result (a sequence) is not reused.
  auto run = RunMachine(R"json({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "QueryLanguage": "JSONata",
            "Output": "{% {'a': 1, 'l': [{'v': 1}, {'v': 2}]} %}", "Next": "B"},
      "B": {"Type": "Pass", "Parameters": {"a": 2, "l.$": "$.l"}, "Next": "C"},
      "C": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.l.v %}",
            "Next": "D"},
      "D": {"Type": "Pass", "QueryLanguage": "JSONata",
            "Output": "{% {'first': $states.input[0], 'n': $count($states.input)} %}",
            "End": true}}})json",
                        Json::object());
  EXPECT_EQ(Output(run), Parse(R"json({"first": 1, "n": 2})json"));
  auto changed = RunMachine(R"json({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% {'a': 1} %}",
            "Next": "B"},
      "B": {"Type": "Pass", "Parameters": {"a": 2}, "Next": "C"},
      "C": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.a %}",
            "End": true}}})json",
                            Json::object());
  EXPECT_EQ(Output(changed), Json(2));
}

TEST(JsonataEngineTest, AssignSeesEntryValuesSoSwapsWork) {
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
      "Init": {"Type": "Pass", "Assign": {"x": 1, "y": 2}, "Next": "Swap"},
      "Swap": {"Type": "Pass", "Assign": {"x": "{% $y %}", "y": "{% $x %}"},
               "Output": {"during": "{% [$x, $y] %}"}, "Next": "Show"},
      "Show": {"Type": "Pass", "Output": {"before": "{% $states.input.during %}",
                                          "after": "{% [$x, $y] %}"}, "End": true}}})json",
                        Json::object());
  EXPECT_EQ(Output(run), Parse(R"json({"before": [1, 2], "after": [2, 1]})json"));
  const model::HistoryEvent* exited = FindEvent(run, "PassStateExited", 1);
  ASSERT_NE(exited, nullptr);
  Json details = exited->details.ToJson();
  EXPECT_EQ(details["assignedVariables"], Parse(R"json({"x": "2", "y": "1"})json"));
  EXPECT_EQ(details["assignedVariablesDetails"], Parse(R"json({"truncated": false})json"));
}

TEST(JsonataEngineTest, JsonPathAssignReadsTheResultAndVariablesReachPaths) {
  auto run = RunMachine(R"json({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Result": {"v": 7}, "ResultPath": "$.r",
            "Assign": {"fromResult.$": "$.v", "constant": "c"}, "Next": "B"},
      "B": {"Type": "Pass", "Parameters": {"p.$": "$fromResult",
                                           "f.$": "States.Format('{}-{}', $constant, $.r.v)"},
            "Next": "C"
}
, "C" : {
  "Type" : "Pass",
           "QueryLanguage" : "JSONata",
                             "Output" : "{% $merge([$states.input, {'j': $fromResult * 2}]) %}",
                                        "End" : true
}
}
})json",
                        Json::object());
  EXPECT_EQ(Output(run), Parse(R"json({"p": 7, "f": "c-7", "j": 14})json"));
}

TEST(JsonataEngineTest, BranchesReadOuterVariablesAndTheirOwnDoNotLeak) {
  const char* definition = R"json({"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
      "Init": {"Type": "Pass", "Assign": {"outer": 10}, "Next": "Par"},
      "Par": {"Type": "Parallel", "Next": "After", "Branches": [
        {"StartAt": "B1", "States": {
          "B1": {"Type": "Pass", "Assign": {"inner": "{% $outer + 1 %}"}, "Next": "B2"},
          "B2": {"Type": "Pass", "Output": "{% $inner %}", "End": true}}},
        {"StartAt": "C1", "States": {
          "C1": {"Type": "Pass", "Output": "{% $outer %}", "End": true}}}]},
      "After": {"Type": "Pass", "Output": {"results": "{% $states.input %}",
                                           "leaked": "{% $inner %}"}, "End": true}}})json";
  auto run = RunMachine(definition, Json::object());
  ASSERT_TRUE(run.terminal.has_value());
  EXPECT_EQ(run.terminal->status, model::ExecutionStatus::kFailed);
  EXPECT_EQ(run.terminal->error, "States.QueryEvaluationError");
  EXPECT_NE(run.terminal->cause.find("'$inner' specified for the field 'Output/leaked' returned "
                                     "nothing (undefined)."),
            std::string::npos)
      << run.terminal->cause;
  // The branch results were right before the leak check failed.
  const model::HistoryEvent* exited = FindEvent(run, "ParallelStateExited");
  ASSERT_NE(exited, nullptr);
  EXPECT_EQ(exited->details.ToJson()["output"], "[11,10]");
}

TEST(JsonataEngineTest, MapItemsItemSelectorAndContext) {
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
      "M": {"Type": "Map", "Items": "{% $states.input.list %}", "MaxConcurrency": "{% 1 %}",
            "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}",
                             "v": "{% $states.context.Map.Item.Value %}",
                             "tag": "{% $states.input.tag %}"},
            "ItemProcessor": {"StartAt": "P", "States": {
              "P": {"Type": "Pass", "Output": "{% $states.input.tag & $states.input.i & $states.input.v %}",
                    "End": true}}},
            "Output": {"all": "{% $states.result %}", "n": "{% $count($states.result) %}"},
            "End": true}}})json",
                        Parse(R"json({"list": ["a", "b"], "tag": "#"})json"));
  EXPECT_EQ(Output(run), Parse(R"json({"all": ["#0a", "#1b"], "n": 2})json"));
}

TEST(JsonataEngineTest, MapItemsOfTheWrongTypeFailWithMapStateFailed) {
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
      "M": {"Type": "Map", "Items": "{% $states.input.list %}",
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}})json",
                        Parse(R"json({"list": {"foo": "bar"}})json"));
  ASSERT_TRUE(run.terminal.has_value());
  EXPECT_EQ(run.terminal->error, "States.QueryEvaluationError");
  EXPECT_EQ(run.terminal->cause,
            "An error occurred while executing the state 'M' (entered at the event id #2). The "
            "JSONata expression '$states.input.list' specified for the field 'Items' returned an "
            "unexpected result type. Expected 'array', but was 'object' for value: "
            "{\"foo\":\"bar\"}");
  std::vector<std::string> types;
  for (const auto& event : run.events) types.emplace_back(event.type);
  EXPECT_EQ(types,
            (std::vector<std::string>{"ExecutionStarted", "MapStateEntered", "EvaluationFailed",
                                      "MapStateFailed", "ExecutionFailed"}));
  Json details = FindEvent(run, "EvaluationFailed")->details.ToJson();
  EXPECT_EQ(details["location"], "Items");
  EXPECT_EQ(details["state"], "M");
}

TEST(JsonataEngineTest, TaskArgumentsResultAndOutput) {
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "fn", "Payload": "{% $states.input.x %}"},
            "TimeoutSeconds": "{% 5 * 2 %}",
            "Assign": {"got": "{% $states.result.echo.Payload %}"},
            "Output": {"in": "{% $states.input.x %}", "res": "{% $states.result.echo %}"},
            "Next": "Show"},
      "Show": {"Type": "Pass", "Output": "{% $got %}", "End": true}}})json",
                        Json{{"x", 5}}, [](const model::OutboundTask& task) {
                          EXPECT_EQ(task.timeout_seconds, 10);
                          return Echo(task);
                        });
  EXPECT_EQ(Output(run), Json(5));
}

TEST(JsonataEngineTest, CatchSeesErrorOutputAndAssignsInTheStateScope) {
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "fn"}, "Assign": {"never": 1},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle",
                       "Assign": {"err": "{% $states.errorOutput.Error %}"},
                       "Output": {"input": "{% $states.input %}",
                                  "cause": "{% $states.errorOutput.Cause %}"}}],
            "End": true},
      "Handle": {"Type": "Pass", "Output": "{% $merge([$states.input, {'err': $err}]) %}",
                 "End": true}}})json",
                        Json{{"k", 1}}, [](const model::OutboundTask&) {
                          model::Input reply;
                          reply.kind = model::InputKind::kTaskFailed;
                          reply.error = "Boom";
                          reply.cause = "bad";
                          return std::optional<model::Input>(reply);
                        });
  EXPECT_EQ(Output(run), Parse(R"json({"input": {"k": 1}, "cause": "bad", "err": "Boom"})json"));
}

TEST(JsonataEngineTest, QueryEvaluationErrorIsCatchable) {
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
      "P": {"Type": "Parallel", "Output": {"x": "{% $missing %}"}, "Next": "Done",
            "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}],
            "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Caught"}]},
      "Done": {"Type": "Succeed"},
      "Caught": {"Type": "Pass", "Output": "{% $states.input.Error %}", "End": true}}})json",
                        Json::object());
  EXPECT_EQ(Output(run), Json("States.QueryEvaluationError"));
  const model::HistoryEvent* failed = FindEvent(run, "EvaluationFailed");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->details.ToJson()["location"], "Output/x");
}

TEST(JsonataEngineTest, ChoiceRuleAssignAndOutputReplaceTheStateLevelOnes) {
  const char* definition = R"json({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
      "C": {"Type": "Choice", "Assign": {"path": "default"}, "Output": "state-level",
            "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "Show",
                         "Assign": {"path": "rule"}, "Output": "{% 'rule:' & $states.input.n %}"}],
            "Default": "Show"},
      "Show": {"Type": "Pass", "Output": {"out": "{% $states.input %}", "path": "{% $path %}"},
               "End": true}}})json";
  EXPECT_EQ(Output(RunMachine(definition, Json{{"n", 2}})),
            Parse(R"json({"out": "rule:2", "path": "rule"})json"));
  EXPECT_EQ(Output(RunMachine(definition, Json{{"n", 0}})),
            Parse(R"json({"out": "state-level", "path": "default"})json"));
  auto bad = RunMachine(definition, Json{{"n", "x"}});
  ASSERT_TRUE(bad.terminal.has_value());
  EXPECT_EQ(bad.terminal->error, "States.QueryEvaluationError");
  EXPECT_NE(bad.terminal->cause.find("for the field 'Choices[0]/Condition'"), std::string::npos)
      << bad.terminal->cause;
}

TEST(JsonataEngineTest, WaitSecondsAndTimestampExpressions) {
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "W", "States": {
      "W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "T"},
      "T": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "End": true}}})json",
                        Parse(R"json({"s": 3, "at": "2000-01-01T00:00:00Z"})json"));
  EXPECT_EQ(Output(run), Parse(R"json({"s": 3, "at": "2000-01-01T00:00:00Z"})json"));
  auto bad = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
      "T": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "End": true}}})json",
                        Parse(R"json({"at": "2016-13-05T21:29:29Z"})json"));
  ASSERT_TRUE(bad.terminal.has_value());
  EXPECT_EQ(bad.terminal->cause,
            "An error occurred while executing the state 'T' (entered at the event id #2). The "
            "Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format "
            "string: 2016-13-05T21:29:29Z");
}

TEST(JsonataEngineTest, FailErrorAndCauseExpressions) {
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "F", "States": {
      "F": {"Type": "Fail", "Error": "{% 'E.' & $states.input.code %}",
            "Cause": "{% $string($states.input) %}"}}})json",
                        Json{{"code", 42}});
  ASSERT_TRUE(run.terminal.has_value());
  EXPECT_EQ(run.terminal->status, model::ExecutionStatus::kFailed);
  EXPECT_EQ(run.terminal->error, "E.42");
  EXPECT_EQ(run.terminal->cause, "{\"code\":42}");
}

TEST(JsonataEngineTest, StepFunctionsFunctionsAreAvailable) {
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
      "A": {"Type": "Pass", "Output": {"p": "{% $partition([1,2,3], 2) %}",
                                       "r": "{% $range(1, 5, 2) %}",
                                       "j": "{% $parse('{\"a\":1}').a %}",
                                       "u": "{% $length($uuid()) %}"}, "End": true}}})json",
                        Json::object());
  EXPECT_EQ(Output(run), Parse(R"json({"p": [[1,2],[3]], "r": [1,3,5], "j": 1, "u": 36})json"));
}

TEST(JsonataEngineTest, AVariableOverItsSizeLimitFailsTheState) {
  std::string big(300000, 'x');
  auto run = RunMachine(R"json({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
      "A": {"Type": "Pass", "Assign": {"big": "{% $states.input.s %}"}, "End": true}}})json",
                        Json{{"s", big}});
  ASSERT_TRUE(run.terminal.has_value());
  EXPECT_EQ(run.terminal->error, "States.DataLimitExceeded");
}

TEST(JsonataEngineTest, VariablesSurviveTheSnapshot) {
  auto model = testing::BuildModel(R"json({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Assign": {"v": {"deep": [1, 2]}}, "Next": "W"},
      "W": {"Type": "Wait", "Seconds": 10, "Next": "B"},
      "B": {"Type": "Pass", "Parameters": {"v.$": "$v.deep[1]"}, "End": true}}})json");
  ASSERT_NE(model, nullptr);
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  base::Timestamp t0 = base::FromUnixMillis(1700000000000);
  model::Input start;
  start.kind = model::InputKind::kStart;
  start.payload = Json::object();
  start.info = testing::TestExecutionInfo(t0);
  Outcome first = Advance(*model, snapshot, model::Input(start), t0, rng);
  ASSERT_EQ(first.timers.size(), 1u);
  auto restored = model::ExecutionSnapshot::FromJson(snapshot.ToJson());
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->frames[0].variables, Parse(R"json({"v": {"deep": [1, 2]}})json"));
  EXPECT_GT(restored->variable_bytes, 0);
  model::Input fired;
  fired.kind = model::InputKind::kTimerFired;
  fired.stamp = first.timers[0].stamp;
  Outcome second = Advance(*model, *restored, model::Input(fired), first.timers[0].fire_at, rng);
  ASSERT_TRUE(second.terminal.has_value());
  EXPECT_EQ(second.terminal->output, Parse(R"json({"v": 2})json"));
}

}  // namespace
}  // namespace flowstate::engine

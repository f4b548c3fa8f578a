// Unit tests of engine::Advance: task round trips, timers (Wait, retry backoff, task and
// execution timeouts), stop, stale stamps, the step budget and snapshot persistence.
#include "engine/advance.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asl/definition.h"
#include "asl/state_machine_model.h"
#include "engine_driver.h"
#include "json/json.h"
#include "model/execution_snapshot.h"

namespace flowstate::engine {
namespace {

using json::Json;

const base::Timestamp kT0 = base::FromUnixMillis(1700000000000);

constexpr const char* kInvokeMachine = R"({
  "StartAt": "Call",
  "States": {
    "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": "fn", "Payload.$": "$"},
             "ResultSelector": {"value.$": "$.Payload"}, "ResultPath": "$.r",
             "TimeoutSeconds": 30, "End": true}
  }
})";

TEST(AdvanceTest, LambdaInvokeRoundTrip) {
  auto model = testing::BuildModel(kInvokeMachine);
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  Outcome first = Advance(*model, snapshot, testing::StartInput({{"x", 1}}, kT0), kT0, rng);
  ASSERT_EQ(first.tasks.size(), 1u);
  EXPECT_EQ(first.tasks[0].kind, model::TaskKind::kLambdaInvoke);
  EXPECT_EQ(first.tasks[0].function_name, "fn");
  EXPECT_EQ(first.tasks[0].parameters["Payload"], Json({{"x", 1}}));
  EXPECT_EQ(first.tasks[0].timeout_seconds, 30);
  ASSERT_EQ(first.timers.size(), 1u);  // the task timeout
  EXPECT_EQ(testing::EventTypes(first.events),
            (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                                      "TaskStarted"}));
  const Json scheduled = first.events[2].details.ToJson();
  EXPECT_EQ(first.events[2].details_key, "taskScheduledEventDetails");
  EXPECT_EQ(scheduled["resourceType"], "lambda");
  EXPECT_EQ(scheduled["resource"], "invoke");
  EXPECT_EQ(scheduled["region"], "us-east-1");
  EXPECT_EQ(scheduled["parameters"], R"({"FunctionName":"fn","Payload":{"x":1}})");
  EXPECT_EQ(scheduled["timeoutInSeconds"], 30);
  EXPECT_EQ(first.events[1].previous_event_id, 0);  // AWS: the first Entered chains to 0

  model::Input answer;
  answer.kind = model::InputKind::kTaskSucceeded;
  answer.stamp = first.tasks[0].stamp;
  answer.payload = {{"Payload", 7}, {"StatusCode", 200}};
  Outcome second = Advance(*model, snapshot, model::Input(answer), kT0, rng);
  ASSERT_TRUE(second.terminal.has_value());
  EXPECT_EQ(second.terminal->status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(second.terminal->output, Json({{"x", 1}, {"r", {{"value", 7}}}}));
  EXPECT_EQ(testing::EventTypes(second.events),
            (std::vector<std::string>{"TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(second.events[0].id, 5);

  // The timeout timer fires late: dropped without an event.
  model::Input late;
  late.kind = model::InputKind::kTimerFired;
  late.stamp = first.timers[0].stamp;
  Outcome third = Advance(*model, snapshot, model::Input(late), kT0, rng);
  EXPECT_TRUE(third.events.empty());
}

TEST(AdvanceTest, TaskTimeoutIsStatesTimeout) {
  auto model = testing::BuildModel(kInvokeMachine);
  testing::DriveResult run = testing::Drive(
      *model, Json::object(), [](const model::OutboundTask&) { return std::nullopt; });
  ASSERT_TRUE(run.terminal.has_value()) << run.problem;
  EXPECT_EQ(run.terminal->status, model::ExecutionStatus::kFailed);
  EXPECT_EQ(run.terminal->error, "States.Timeout");
  EXPECT_EQ(testing::EventTypes(run.events).at(4), "TaskTimedOut");
}

TEST(AdvanceTest, LegacyLambdaRetriesThenCatches) {
  auto model = testing::BuildModel(R"({
    "StartAt": "Call",
    "States": {
      "Call": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:f",
               "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "MaxAttempts": 2}],
               "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Done"}],
               "End": true},
      "Done": {"Type": "Pass", "End": true}
    }
  })");
  int calls = 0;
  testing::DriveResult run =
      testing::Drive(*model, Json({{"a", 1}}), [&](const model::OutboundTask& task) {
        ++calls;
        EXPECT_EQ(task.kind, model::TaskKind::kLambdaLegacy);
        EXPECT_EQ(task.function_name, "arn:aws:lambda:eu-west-1:123456789012:function:f");
        model::Input reply;
        reply.kind = model::InputKind::kTaskFailed;
        reply.error = "Boom";
        reply.cause = "bad";
        return std::optional<model::Input>(reply);
      });
  ASSERT_TRUE(run.terminal.has_value()) << run.problem;
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(run.terminal->output, Json({{"a", 1}, {"err", {{"Error", "Boom"}, {"Cause", "bad"}}}}));
  std::vector<std::string> types = testing::EventTypes(run.events);
  EXPECT_EQ(std::count(types.begin(), types.end(), "LambdaFunctionScheduled"), 3);
  EXPECT_EQ(std::count(types.begin(), types.end(), "TaskStateEntered"), 1);
  EXPECT_EQ(types.back(), "ExecutionSucceeded");
}

TEST(AdvanceTest, StatesRuntimeIsNotCaughtByStatesAll) {
  auto model = testing::BuildModel(R"({
    "StartAt": "Map",
    "States": {
      "Map": {"Type": "Map", "ItemsPath": "$.missing",
              "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
      "Caught": {"Type": "Pass", "End": true}
    }
  })");
  testing::DriveResult run = testing::Drive(*model, Json::object());
  ASSERT_TRUE(run.terminal.has_value());
  EXPECT_EQ(run.terminal->error, "States.Runtime");
  EXPECT_EQ(
      run.terminal->cause.rfind(
          "An error occurred while executing the state 'Map' (entered at the event id #2).", 0),
      0u);
}

// A loop of Choice and Pass states writes 4 events per iteration: with a quota of 25 events,
// event 25 is ExecutionFailed (ids stay contiguous) unless the execution has ended by then.
constexpr const char* kCountdown = R"json({
  "StartAt": "Check",
  "States": {
    "Check": {"Type": "Choice",
              "Choices": [{"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Dec"}],
              "Default": "Done"},
    "Dec": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, -1)"}, "Next": "Check"},
    "Done": {"Type": "Succeed"}
  }
})json";

TEST(AdvanceTest, HistoryQuotaFailsTheExecutionAtItsLastEvent) {
  auto model = testing::BuildModel(kCountdown);
  AdvanceOptions options;
  options.max_history_events = 25;
  for (int n : {100, 5, 4}) {
    model::ExecutionSnapshot snapshot;
    base::Rng rng(1);
    Outcome outcome =
        Advance(*model, snapshot, testing::StartInput({{"n", n}}, kT0), kT0, rng, options);
    ASSERT_TRUE(outcome.terminal.has_value());
    if (n == 4) {
      // 1 + 4 * 4 + 2 + 2 + 1 = 22 events: within the quota.
      EXPECT_EQ(outcome.terminal->status, model::ExecutionStatus::kSucceeded);
      EXPECT_EQ(outcome.events.back().id, 22);
      continue;
    }
    // n = 5 would end with SucceedStateExited as event 25 and ExecutionSucceeded as 26: it fails
    // at 25, as a longer loop does.
    EXPECT_EQ(outcome.terminal->status, model::ExecutionStatus::kFailed);
    EXPECT_EQ(outcome.terminal->error, "States.Runtime");
    ASSERT_EQ(outcome.events.size(), 25u);
    for (size_t i = 0; i < outcome.events.size(); ++i) {
      EXPECT_EQ(outcome.events[i].id, static_cast<int64_t>(i + 1));
    }
    EXPECT_EQ(outcome.events.back().type, "ExecutionFailed");
    EXPECT_EQ(outcome.events.back().previous_event_id, 24);
    EXPECT_TRUE(outcome.tasks.empty());
    // Nothing answers an execution that ended.
    model::Input late;
    late.kind = model::InputKind::kTimerFired;
    late.stamp = 0;
    EXPECT_TRUE(Advance(*model, snapshot, model::Input(late), kT0, rng, options).events.empty());
  }

  // ExecutionSucceeded may be the quota's last event.
  options.max_history_events = 22;
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  Outcome exact =
      Advance(*model, snapshot, testing::StartInput({{"n", 4}}, kT0), kT0, rng, options);
  ASSERT_TRUE(exact.terminal.has_value());
  EXPECT_EQ(exact.terminal->status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(exact.events.back().id, 22);
  EXPECT_EQ(exact.events.back().type, "ExecutionSucceeded");
}

TEST(AdvanceTest, ExecutionTimeoutAndWait) {
  auto model = testing::BuildModel(R"({
    "TimeoutSeconds": 5,
    "StartAt": "W",
    "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}
  })");
  testing::DriveResult run = testing::Drive(*model, Json::object());
  ASSERT_TRUE(run.terminal.has_value());
  EXPECT_EQ(run.terminal->status, model::ExecutionStatus::kTimedOut);
  EXPECT_EQ(testing::EventTypes(run.events).back(), "ExecutionTimedOut");
}

// WAIT_TIME_SCALE: Wait durations and Retry intervals shrink; the task timeout does not.
TEST(AdvanceTest, WaitTimeScaleScalesWaitsAndRetriesButNotTimeouts) {
  auto model = testing::BuildModel(R"({
    "StartAt": "W",
    "States": {
      "W": {"Type": "Wait", "Seconds": 100, "Next": "Call"},
      "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName": "fn"}, "TimeoutSeconds": 30,
               "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 20, "MaxAttempts": 1}],
               "End": true}
    }
  })");
  AdvanceOptions options;
  options.wait_time_scale = 0.01;
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  Outcome first =
      Advance(*model, snapshot, testing::StartInput(Json::object(), kT0), kT0, rng, options);
  ASSERT_EQ(first.timers.size(), 1u);
  EXPECT_EQ(first.timers[0].fire_at, kT0 + std::chrono::seconds(1));  // 100 s x 0.01
  model::Input fired;
  fired.kind = model::InputKind::kTimerFired;
  fired.stamp = first.timers[0].stamp;
  const base::Timestamp t1 = kT0 + std::chrono::seconds(1);
  Outcome second = Advance(*model, snapshot, model::Input(fired), t1, rng, options);
  ASSERT_EQ(second.tasks.size(), 1u);
  ASSERT_EQ(second.timers.size(), 1u);
  EXPECT_EQ(second.timers[0].fire_at, t1 + std::chrono::seconds(30));  // timeout: unscaled
  model::Input failed;
  failed.kind = model::InputKind::kTaskFailed;
  failed.stamp = second.tasks[0].stamp;
  failed.error = "Boom";
  Outcome third = Advance(*model, snapshot, model::Input(failed), t1, rng, options);
  ASSERT_EQ(third.timers.size(), 1u);
  EXPECT_EQ(third.timers[0].fire_at, t1 + std::chrono::milliseconds(200));  // 20 s x 0.01
}

TEST(AdvanceTest, StopAbortsTheRunningState) {
  auto model = testing::BuildModel(
      R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}})");
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  Outcome first = Advance(*model, snapshot, testing::StartInput(Json::object(), kT0), kT0, rng);
  ASSERT_EQ(first.timers.size(), 1u);
  model::Input stop;
  stop.kind = model::InputKind::kStop;
  stop.error = "E";
  stop.cause = "C";
  Outcome second = Advance(*model, snapshot, model::Input(stop), kT0, rng);
  ASSERT_TRUE(second.terminal.has_value());
  EXPECT_EQ(second.terminal->status, model::ExecutionStatus::kAborted);
  EXPECT_EQ(testing::EventTypes(second.events),
            (std::vector<std::string>{"WaitStateAborted", "ExecutionAborted"}));
  EXPECT_EQ(second.events[1].details.ToJson()["error"], "E");
  // The Wait timer firing afterwards does nothing.
  model::Input fired;
  fired.kind = model::InputKind::kTimerFired;
  fired.stamp = first.timers[0].stamp;
  EXPECT_TRUE(Advance(*model, snapshot, model::Input(fired), kT0, rng).events.empty());
}

TEST(AdvanceTest, StepBudgetYieldsAndContinues) {
  auto model = testing::BuildModel(R"json({
    "StartAt": "Init",
    "States": {
      "Init": {"Type": "Pass", "Result": {"i": 0}, "Next": "Incr"},
      "Incr": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
      "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 50,
                                              "Next": "Incr"}], "Default": "Done"},
      "Done": {"Type": "Succeed"}
    }
  })json");
  AdvanceOptions options;
  options.step_budget = 7;
  testing::DriveResult run = testing::Drive(*model, Json::object(), nullptr, 1000, options);
  ASSERT_TRUE(run.terminal.has_value()) << run.problem;
  EXPECT_EQ(run.terminal->output, Json({{"i", 50}}));
  EXPECT_GT(run.advances, 10);
  for (size_t idx = 0; idx < run.events.size(); ++idx) {
    EXPECT_EQ(run.events[idx].id, static_cast<int64_t>(idx + 1));
  }
}

TEST(AdvanceTest, SnapshotSurvivesJsonRoundTripMidExecution) {
  auto model = testing::BuildModel(R"({
    "StartAt": "Par",
    "States": {
      "Par": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}},
        {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "MaxConcurrency": 1,
          "ItemProcessor": {"StartAt": "W2", "States": {"W2": {"Type": "Wait", "Seconds": 1,
                                                               "End": true}}}}}}]}
    }
  })");
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  base::Timestamp now = kT0;
  Outcome outcome =
      Advance(*model, snapshot, testing::StartInput(Json::array({1, 2}), now), now, rng);
  std::vector<model::TimerRequest> timers = outcome.timers;
  int64_t events = static_cast<int64_t>(outcome.events.size());
  while (!outcome.terminal) {
    // Persist and reload before every step.
    auto reloaded = model::ExecutionSnapshot::FromJson(snapshot.ToJson());
    ASSERT_TRUE(reloaded.has_value()) << reloaded.error().message();
    snapshot = std::move(*reloaded);
    ASSERT_FALSE(timers.empty());
    model::TimerRequest timer = timers.front();
    timers.erase(timers.begin());
    now = std::max(now, timer.fire_at);
    model::Input fired;
    fired.kind = model::InputKind::kTimerFired;
    fired.stamp = timer.stamp;
    outcome = Advance(*model, snapshot, model::Input(fired), now, rng);
    for (const auto& added : outcome.timers) timers.push_back(added);
    for (const auto& event : outcome.events) EXPECT_EQ(event.id, ++events);
  }
  EXPECT_EQ(outcome.terminal->output, Json::array({Json::array({1, 2}), Json::array({1, 2})}));
}

std::string DistributedMap(const std::string& tolerance) {
  return R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, )" + tolerance +
         R"("ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "C", "States": {
              "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2,
                                                   "Next": "F"}], "Default": "P"},
              "F": {"Type": "Fail", "Error": "Bad", "Cause": "two"},
              "P": {"Type": "Pass", "End": true}}}}}})";
}

TEST(AdvanceTest, DistributedMapToleratesFailuresAndKeepsChildEventsOut) {
  auto tolerant = testing::BuildModel(DistributedMap(R"("ToleratedFailureCount": 1, )").c_str());
  testing::DriveResult run = testing::Drive(*tolerant, Json::array({1, 2, 3}));
  ASSERT_TRUE(run.terminal.has_value()) << run.problem;
  EXPECT_EQ(run.terminal->status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(run.terminal->output, Json::array({1, 3}));
  EXPECT_EQ(testing::EventTypes(run.events),
            (std::vector<std::string>{"ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                      "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded",
                                      "MapStateExited", "ExecutionSucceeded"}));
  EXPECT_NE(run.events[3].details.ToJson()["mapRunArn"].get<std::string>().find(":mapRun:"),
            std::string::npos);

  auto strict = testing::BuildModel(DistributedMap("").c_str());
  run = testing::Drive(*strict, Json::array({1, 2, 3}));
  ASSERT_TRUE(run.terminal.has_value()) << run.problem;
  EXPECT_EQ(run.terminal->error, "States.ExceedToleratedFailureThreshold");
  EXPECT_EQ(testing::EventTypes(run.events).at(4), "MapRunFailed");
}

TEST(AdvanceTest, SnapshotKeepsToleratedFailuresAcrossPersistence) {
  auto model = testing::BuildModel(R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
    "ToleratedFailureCount": 1,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "C", "States": {
      "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "F"}],
            "Default": "W"},
      "F": {"Type": "Fail", "Error": "Bad"},
      "W": {"Type": "Wait", "Seconds": 1, "End": true}}}}}})");
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  Outcome first =
      Advance(*model, snapshot, testing::StartInput(Json::array({2, 1}), kT0), kT0, rng);
  ASSERT_EQ(first.timers.size(), 1u);
  std::string text = json::Dump(snapshot.ToJson());
  auto reloaded = model::ExecutionSnapshot::FromJson(*json::Parse(text));
  ASSERT_TRUE(reloaded.has_value()) << reloaded.error().message();
  model::Input fired;
  fired.kind = model::InputKind::kTimerFired;
  fired.stamp = first.timers[0].stamp;
  Outcome second = Advance(*model, *reloaded, model::Input(fired), first.timers[0].fire_at, rng);
  ASSERT_TRUE(second.terminal.has_value());
  EXPECT_EQ(second.terminal->output, Json::array({1}));
}

TEST(AdvanceTest, OversizedCatcherOutputFailsInsteadOfLooping) {
  auto model = testing::BuildModel(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f"}, "ResultPath": "$.r",
          "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "D"}],
          "End": true},
    "D": {"Type": "Pass", "End": true}}})");
  AdvanceOptions options;
  options.max_payload_bytes = 1000;
  testing::DriveResult run = testing::Drive(
      *model, Json({{"big", std::string(990, 'x')}}),
      [](const model::OutboundTask&) {
        model::Input reply;
        reply.kind = model::InputKind::kTaskSucceeded;
        reply.payload = Json::object();
        return std::optional<model::Input>(reply);
      },
      100, options);
  ASSERT_TRUE(run.terminal.has_value()) << run.problem;
  EXPECT_EQ(run.terminal->error, "States.DataLimitExceeded");
}

TEST(AdvanceTest, ARetryAfterAnOversizedOutputGetsTheStateInputAgain) {
  // The output is built from the input, in place when nothing could read the input again. A
  // Retrier can (States.ALL matches States.DataLimitExceeded, raised here by input + result
  // together), so the second attempt must still see the original input, in both query
  // languages.
  const char* definitions[] = {
      R"({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "f", "Payload": {"v.$": "$.v"}}, "ResultPath": "$.r",
              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}],
              "End": true}}})",
      R"({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Arguments": {"FunctionName": "f", "Payload": {"v": "{% $states.input.v %}"}},
              "Output": "{% $merge([$states.input, {'r': $states.result}]) %}",
              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}],
              "End": true}}})"};
  for (const char* definition : definitions) {
    auto model = testing::BuildModel(definition);
    AdvanceOptions options;
    options.max_payload_bytes = 1000;
    std::vector<Json> payloads;
    testing::DriveResult run = testing::Drive(
        *model, Json({{"v", 7}, {"pad", std::string(600, 'p')}}),
        [&payloads](const model::OutboundTask& task) {
          payloads.push_back(task.parameters);
          model::Input reply;
          reply.kind = model::InputKind::kTaskSucceeded;
          reply.payload = Json({{"n", std::string(payloads.size() == 1 ? 600 : 10, 'n')}});
          return std::optional<model::Input>(reply);
        },
        100, options);
    ASSERT_TRUE(run.terminal.has_value()) << run.problem;
    EXPECT_EQ(run.terminal->status, model::ExecutionStatus::kSucceeded)
        << definition << run.terminal->error << run.terminal->cause;
    ASSERT_EQ(payloads.size(), 2u) << definition;
    EXPECT_EQ(payloads[0], payloads[1]) << definition;
  }
}

TEST(AdvanceTest, HugeDurationsSaturateInsteadOfOverflowing) {
  // Durations from data may be any number; under UBSan an overflow here aborts the test.
  struct Case {
    const char* definition;
    Json input;
    const char* error;  // "" for success
  };
  const Case cases[] = {
      {R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}})",
       Json({{"s", int64_t{4611686018427387904}}}), ""},
      {R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}})",
       Json({{"s", uint64_t{18446744073709551615u}}}), "States.Runtime"},
      {R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}})",
       Json({{"s", 1e300}}), "States.Runtime"},
      {R"({"QueryLanguage": "JSONata", "StartAt": "W",
           "States": {"W": {"Type": "Wait", "Seconds": "{% 9e18 %}", "End": true}}})",
       Json::object(), ""},
      {R"({"StartAt": "T", "States": {"T": {"Type": "Task",
           "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
           "TimeoutSecondsPath": "$.s", "HeartbeatSeconds": 99999999,
           "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 99999999,
                      "BackoffRate": 1e300, "MaxAttempts": 3}], "End": true}}})",
       Json({{"s", int64_t{4611686018427387904}}}), "Boom"},
  };
  for (const Case& c : cases) {
    auto model = testing::BuildModel(c.definition);
    testing::DriveResult run = testing::Drive(*model, c.input, [](const model::OutboundTask&) {
      model::Input reply;
      reply.kind = model::InputKind::kTaskFailed;
      reply.error = "Boom";
      return std::optional<model::Input>(reply);
    });
    ASSERT_TRUE(run.terminal.has_value()) << run.problem << c.definition;
    EXPECT_EQ(run.terminal->error, c.error) << c.definition << run.terminal->cause;
  }
}

TEST(AdvanceTest, AMaxConcurrencyPastInt32IsNoLimit) {
  // 2^32 + 1 once wrapped to a limit of 1: the three iterations' tasks went out one by one.
  auto model = testing::BuildModel(R"({"StartAt": "M", "States": {"M": {"Type": "Map",
    "ItemsPath": "$.items", "MaxConcurrencyPath": "$.limit", "End": true,
    "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true}}}}}})");
  int calls = 0;
  testing::DriveResult run =
      testing::Drive(*model, Json({{"limit", int64_t{4294967297}}, {"items", {1, 2, 3}}}),
                     [&calls](const model::OutboundTask&) {
                       ++calls;
                       return std::optional<model::Input>();  // left unanswered
                     });
  EXPECT_FALSE(run.terminal.has_value());
  EXPECT_EQ(calls, 3);
}

TEST(AdvanceTest, PayloadLimitHoldsWithoutHistory) {
  // Without history the sizes are counted, not serialized: the limit must fall where it falls
  // with history (input, parameters and result each checked).
  auto model = testing::BuildModel(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
          "Parameters": {"text.$": "$.text"}, "ResultPath": null, "End": true}}})");
  for (bool history : {true, false}) {
    for (size_t reply_size : {size_t{10}, size_t{2000}}) {
      AdvanceOptions options;
      options.max_payload_bytes = 1000;
      options.record_history = history;
      testing::DriveResult run = testing::Drive(
          *model, Json({{"text", std::string(900, 'q') + "\"\\"}}),
          [reply_size](const model::OutboundTask&) {
            model::Input reply;
            reply.kind = model::InputKind::kTaskSucceeded;
            reply.payload = Json({{"r", std::string(reply_size, '"')}});
            return std::optional<model::Input>(reply);
          },
          100, options);
      ASSERT_TRUE(run.terminal.has_value()) << run.problem;
      if (reply_size > 1000) {
        EXPECT_EQ(run.terminal->error, "States.DataLimitExceeded") << history;
      } else {
        EXPECT_EQ(run.terminal->status, model::ExecutionStatus::kSucceeded) << history;
      }
    }
  }
}

TEST(BuildModelTest, NeverCrashesOnArbitraryJson) {
  for (const char* text :
       {"null", "[]", "{}", R"({"StartAt": 1})", R"({"StartAt": "A", "States": []})",
        R"({"StartAt": "A", "States": {"A": {"Type": "Nope"}}})",
        R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})",
        R"({"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Next": 3}]}}})",
        R"({"StartAt": "A", "States": {"A": {"Type": "Map", "End": true, "Iterator": 5}}})",
        R"({"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": "x", "End": true}}})"}) {
    auto parsed = json::Parse(text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_FALSE(asl::BuildModel(*parsed).has_value()) << text;
  }
}

TEST(BuildModelTest, BuildsQueryLanguagePerStateAndAssign) {
  auto model = testing::BuildModel(R"({
    "QueryLanguage": "JSONata", "StartAt": "A",
    "States": {
      "A": {"Type": "Pass", "Output": "{% $states.input.x %}", "Assign": {"v": 1}, "Next": "B"},
      "B": {"Type": "Pass", "QueryLanguage": "JSONata", "End": true}
    }
  })");
  ASSERT_NE(model, nullptr);
  const asl::State& a = model->root().states[0];
  EXPECT_TRUE(a.jsonata);
  EXPECT_TRUE(a.output.present);
  EXPECT_TRUE(a.assign.present);
  EXPECT_NE(a.assign.jsonata, nullptr);
  EXPECT_EQ(a.assign.jsonpath, nullptr);

  auto mixed = testing::BuildModel(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Assign": {"v.$": "$.x"}, "Next": "B"},
      "B": {"Type": "Pass", "QueryLanguage": "JSONata", "End": true}}})");
  ASSERT_NE(mixed, nullptr);
  EXPECT_FALSE(mixed->root().states[0].jsonata);
  EXPECT_NE(mixed->root().states[0].assign.jsonpath, nullptr);
  EXPECT_TRUE(mixed->root().states[1].jsonata);
}

TEST(BuildModelTest, RefusesAnExpressionThatDoesNotParse) {
  auto bad = json::Parse(
      R"({"QueryLanguage": "JSONata", "StartAt": "A",
          "States": {"A": {"Type": "Pass", "Output": "{% $states.input. %}", "End": true}}})");
  ASSERT_TRUE(bad.has_value());
  EXPECT_FALSE(asl::BuildModel(*bad).has_value());
}

TEST(BuildModelTest, CompilesFieldsAndResolvesTransitions) {
  auto model = testing::BuildModel(R"({
    "StartAt": "A",
    "States": {
      "A": {"Type": "Pass", "ResultPath": null, "OutputPath": "$.x", "Next": "B"},
      "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true,
            "Retry": [{"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL",
                       "MaxDelaySeconds": 4}]}
    }
  })");
  const asl::Scope& root = model->root();
  EXPECT_EQ(root.start_at, 0);
  EXPECT_EQ(root.states[0].next, 1);
  EXPECT_TRUE(root.states[0].result_path.present);
  EXPECT_TRUE(root.states[0].result_path.is_null);
  EXPECT_TRUE(root.states[0].output_path.present);
  EXPECT_FALSE(root.states[0].input_path.present);
  EXPECT_EQ(root.states[1].task.kind, asl::TaskKind::kUnsupported);
  EXPECT_EQ(root.states[1].retriers[0].jitter, asl::JitterStrategy::kFull);
  EXPECT_EQ(root.states[1].retriers[0].max_delay_seconds, 4);
  // An unsupported resource fails cleanly at run time.
  testing::DriveResult run = testing::Drive(*model, Json({{"x", 1}}));
  ASSERT_TRUE(run.terminal.has_value());
  EXPECT_EQ(run.terminal->error, "States.Runtime");
}

TEST(AdvanceTest, WithoutHistoryEventIdsAndResultsStayTheSame) {
  auto model = testing::BuildModel(R"({
    "StartAt": "Par",
    "States": {
      "Par": {"Type": "Parallel", "Next": "Map", "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": 2, "End": true}}}]},
      "Map": {"Type": "Map", "Next": "Bad",
              "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}},
      "Bad": {"Type": "Pass", "InputPath": "$.missing", "End": true}
    }
  })");
  AdvanceOptions with_history;
  AdvanceOptions without_history;
  without_history.record_history = false;
  model::ExecutionSnapshot recorded;
  model::ExecutionSnapshot unrecorded;
  base::Rng rng_a(1);
  base::Rng rng_b(1);
  Outcome a = Advance(*model, recorded, testing::StartInput(Json::array({1, 2}), kT0), kT0, rng_a,
                      with_history);
  Outcome b = Advance(*model, unrecorded, testing::StartInput(Json::array({1, 2}), kT0), kT0, rng_b,
                      without_history);
  ASSERT_TRUE(a.terminal.has_value());
  ASSERT_TRUE(b.terminal.has_value());
  EXPECT_TRUE(b.events.empty());
  EXPECT_EQ(recorded.next_event_id, unrecorded.next_event_id);
  EXPECT_EQ(b.terminal->error, "States.Runtime");
  EXPECT_EQ(a.terminal->cause, b.terminal->cause);
  int64_t entered = 0;
  for (const auto& event : a.events) {
    entered += event.type.ends_with("StateEntered") ? 1 : 0;
  }
  EXPECT_EQ(a.states_entered, entered);
  EXPECT_EQ(b.states_entered, entered);
}

}  // namespace
}  // namespace flowstate::engine

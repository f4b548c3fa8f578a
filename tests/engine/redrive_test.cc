// Unit tests of RedriveExecution in engine::Advance (engine/redrive.cc): a FAILED, ABORTED or
// TIMED_OUT execution continues from its terminal snapshot; only the unsuccessful states run
// again (for Parallel and inline Map only the failed or aborted branches and iterations), with
// an ExecutionRedriven event and $$.Execution.RedriveCount.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asl/definition.h"
#include "engine/advance.h"
#include "engine_driver.h"
#include "json/json.h"
#include "model/execution_snapshot.h"

namespace flowstate::engine {
namespace {

using json::Json;

const base::Timestamp kT0 = base::FromUnixMillis(1700000000000);
const base::Timestamp kLater = base::FromUnixMillis(1700000600000);
constexpr const char* kFunctionPrefix = "arn:aws:lambda:us-east-1:111111111111:function:";

int64_t Count(const std::vector<std::string>& types, const std::string& type) {
  return std::count(types.begin(), types.end(), type);
}

model::Input RedriveInput() {
  model::Input input;
  input.kind = model::InputKind::kRedrive;
  return input;
}

// A Lambda stand-in: function `name` fails while `failing[name]` > 0 (counting down), else
// returns {"from": name, "input": <payload>}. Counts the calls per function.
struct Functions {
  std::map<std::string, int> failing;
  std::map<std::string, int> calls;

  testing::TaskAnswer Answer() {
    return [this](const model::OutboundTask& task) {
      std::string name = task.function_name.substr(std::string(kFunctionPrefix).size());
      ++calls[name];
      model::Input reply;
      if (failing[name] > 0) {
        --failing[name];
        reply.kind = model::InputKind::kTaskFailed;
        reply.error = "Flaky";
        reply.cause = name + " failed";
      } else {
        reply.kind = model::InputKind::kTaskSucceeded;
        reply.payload = Json({{"from", name}, {"input", task.parameters}});
      }
      return std::optional<model::Input>(reply);
    };
  }
};

std::string Fn(const std::string& name) { return std::string(kFunctionPrefix) + name; }

// The snapshot as a durable store keeps it: written and read back as JSON.
model::ExecutionSnapshot RoundTrip(const model::ExecutionSnapshot& snapshot) {
  auto restored = model::ExecutionSnapshot::FromJson(snapshot.ToJson());
  EXPECT_TRUE(restored.has_value());
  return restored ? *restored : model::ExecutionSnapshot();
}

TEST(RedriveTest, FailedTaskRunsAgainAndEarlierStatesDoNot) {
  auto model = testing::BuildModel(R"({"StartAt": "Prepare", "States": {
    "Prepare": {"Type": "Pass", "Result": {"n": 1}, "Next": "Call"},
    "Call": {"Type": "Task", "Resource": ")" +
                                   Fn("call") + R"(",
             "Parameters": {"n.$": "$.n", "redrives.$": "$$.Execution.RedriveCount"},
             "End": true}}})");
  Functions functions;
  functions.failing["call"] = 1;
  model::ExecutionSnapshot snapshot;
  testing::DriveResult first = testing::DriveFrom(
      *model, snapshot, testing::StartInput(Json::object(), kT0), kT0, functions.Answer());
  ASSERT_TRUE(first.terminal.has_value()) << first.problem;
  EXPECT_EQ(first.terminal->status, model::ExecutionStatus::kFailed);
  const int64_t last_id = first.events.back().id;

  model::ExecutionSnapshot stored = RoundTrip(snapshot);
  testing::DriveResult second =
      testing::DriveFrom(*model, stored, RedriveInput(), kLater, functions.Answer());
  ASSERT_TRUE(second.terminal.has_value()) << second.problem;
  EXPECT_EQ(second.terminal->status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(second.terminal->output,
            Json({{"from", "call"}, {"input", {{"n", 1}, {"redrives", 1}}}}));
  std::vector<std::string> types = testing::EventTypes(second.events);
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types.front(), "ExecutionRedriven");
  EXPECT_EQ(second.events.front().id, last_id + 1);
  EXPECT_EQ(second.events.front().previous_event_id, last_id);
  EXPECT_EQ(second.events.front().details.ToJson(), Json({{"redriveCount", 1}}));
  EXPECT_EQ(Count(types, "PassStateEntered"), 0);  // Prepare succeeded: not run again
  EXPECT_EQ(Count(types, "TaskStateEntered"), 1);
  EXPECT_EQ(second.events[1].previous_event_id, second.events[0].id);
  EXPECT_EQ(types.back(), "ExecutionSucceeded");
  EXPECT_EQ(functions.calls["call"], 2);
  EXPECT_EQ(stored.info.redrive_count, 1);
  EXPECT_EQ(stored.info.redrive_time, kLater);
}

TEST(RedriveTest, ParallelRerunsOnlyTheFailedBranch) {
  auto model = testing::BuildModel(R"({"StartAt": "Both", "States": {
    "Both": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": ")" +
                                   Fn("a") + R"(", "End": true}}},
      {"StartAt": "B1", "States": {
        "B1": {"Type": "Task", "Resource": ")" +
                                   Fn("b1") + R"(", "Next": "B2"},
        "B2": {"Type": "Task", "Resource": ")" +
                                   Fn("b2") + R"(", "End": true}}}]}}})");
  Functions functions;
  functions.failing["b2"] = 1;
  model::ExecutionSnapshot snapshot;
  testing::DriveResult first = testing::DriveFrom(
      *model, snapshot, testing::StartInput(Json({{"x", 1}}), kT0), kT0, functions.Answer());
  ASSERT_TRUE(first.terminal.has_value()) << first.problem;
  EXPECT_EQ(first.terminal->status, model::ExecutionStatus::kFailed);
  EXPECT_EQ(first.terminal->error, "Flaky");

  model::ExecutionSnapshot stored = RoundTrip(snapshot);
  testing::DriveResult second =
      testing::DriveFrom(*model, stored, RedriveInput(), kLater, functions.Answer());
  ASSERT_TRUE(second.terminal.has_value()) << second.problem;
  EXPECT_EQ(second.terminal->status, model::ExecutionStatus::kSucceeded);
  // Branch A's result is the one of the first attempt; in branch B only B2 ran again.
  EXPECT_EQ(functions.calls["a"], 1);
  EXPECT_EQ(functions.calls["b1"], 1);
  EXPECT_EQ(functions.calls["b2"], 2);
  ASSERT_TRUE(second.terminal->output.is_array());
  ASSERT_EQ(second.terminal->output.size(), 2u);
  EXPECT_EQ(second.terminal->output[0]["from"], "a");
  EXPECT_EQ(second.terminal->output[1]["from"], "b2");
  EXPECT_EQ(second.terminal->output[1]["input"]["from"], "b1");
  std::vector<std::string> types = testing::EventTypes(second.events);
  EXPECT_EQ(types.front(), "ExecutionRedriven");
  EXPECT_EQ(Count(types, "ParallelStateEntered"), 0);  // still entered from the first attempt
  EXPECT_EQ(Count(types, "TaskStateEntered"), 1);
  EXPECT_EQ(Count(types, "ParallelStateSucceeded"), 1);
  EXPECT_EQ(Count(types, "ParallelStateExited"), 1);
}

TEST(RedriveTest, InlineMapRerunsFailedIterationsAndStartsTheOthers) {
  auto model = testing::BuildModel(R"({"StartAt": "Each", "States": {
    "Each": {"Type": "Map", "MaxConcurrency": 1, "End": true,
             "ItemProcessor": {"StartAt": "Work", "States": {
               "Work": {"Type": "Task", "Resource": ")" +
                                   Fn("work") + R"(", "End": true}}}}}})");
  Functions functions;
  // Items run one at a time: item 0 succeeds, item 1 fails, item 2 never starts.
  int call = 0;
  testing::TaskAnswer answer = [&](const model::OutboundTask& task) {
    ++call;
    model::Input reply;
    if (call == 2) {
      reply.kind = model::InputKind::kTaskFailed;
      reply.error = "Flaky";
    } else {
      reply.kind = model::InputKind::kTaskSucceeded;
      reply.payload = Json({{"item", task.parameters}});
    }
    return std::optional<model::Input>(reply);
  };
  model::ExecutionSnapshot snapshot;
  testing::DriveResult first = testing::DriveFrom(
      *model, snapshot, testing::StartInput(Json::array({10, 11, 12}), kT0), kT0, answer);
  ASSERT_TRUE(first.terminal.has_value()) << first.problem;
  EXPECT_EQ(first.terminal->status, model::ExecutionStatus::kFailed);
  EXPECT_EQ(call, 2);

  model::ExecutionSnapshot stored = RoundTrip(snapshot);
  testing::DriveResult second = testing::DriveFrom(*model, stored, RedriveInput(), kLater, answer);
  ASSERT_TRUE(second.terminal.has_value()) << second.problem;
  EXPECT_EQ(second.terminal->status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(call, 4);  // items 1 and 2; item 0 not again
  EXPECT_EQ(second.terminal->output, Json::array({{{"item", 10}}, {{"item", 11}}, {{"item", 12}}}));
  std::vector<int64_t> started;
  for (const auto& event : second.events) {
    if (event.type == "MapIterationStarted") {
      started.push_back(event.details.ToJson()["index"].get<int64_t>());
    }
  }
  EXPECT_EQ(started, (std::vector<int64_t>{1, 2}));
}

TEST(RedriveTest, AbortedParallelRerunsTheAbortedBranchOnly) {
  auto model = testing::BuildModel(R"({"StartAt": "Both", "States": {
    "Both": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "Quick", "States": {"Quick": {"Type": "Pass", "Result": "q", "End": true}}},
      {"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": ")" +
                                   Fn("slow") + R"(", "End": true}}}]}}})");
  base::Rng rng(7);
  model::ExecutionSnapshot snapshot;
  Outcome started = Advance(*model, snapshot, testing::StartInput(Json::object(), kT0), kT0, rng);
  ASSERT_EQ(started.tasks.size(), 1u);  // Slow waits; Quick is done
  model::Input stop;
  stop.kind = model::InputKind::kStop;
  stop.error = "Operator";
  Outcome stopped = Advance(*model, snapshot, model::Input(stop), kT0, rng);
  ASSERT_TRUE(stopped.terminal.has_value());
  EXPECT_EQ(stopped.terminal->status, model::ExecutionStatus::kAborted);
  // A late answer of the aborted task changes nothing.
  model::Input late;
  late.kind = model::InputKind::kTaskSucceeded;
  late.stamp = started.tasks[0].stamp;
  EXPECT_TRUE(Advance(*model, snapshot, model::Input(late), kT0, rng).events.empty());

  model::ExecutionSnapshot stored = RoundTrip(snapshot);
  Functions functions;
  testing::DriveResult second =
      testing::DriveFrom(*model, stored, RedriveInput(), kLater, functions.Answer());
  ASSERT_TRUE(second.terminal.has_value()) << second.problem;
  EXPECT_EQ(second.terminal->status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(functions.calls["slow"], 1);
  EXPECT_EQ(second.terminal->output[0], "q");
  EXPECT_EQ(Count(testing::EventTypes(second.events), "PassStateEntered"), 0);
}

TEST(RedriveTest, TimedOutExecutionRedrivesWithANewTimeout) {
  auto model = testing::BuildModel(R"({"StartAt": "Call", "TimeoutSeconds": 30, "States": {
    "Call": {"Type": "Task", "Resource": ")" +
                                   Fn("slow") + R"(", "End": true}}})");
  base::Rng rng(7);
  model::ExecutionSnapshot snapshot;
  Outcome started = Advance(*model, snapshot, testing::StartInput(Json::object(), kT0), kT0, rng);
  ASSERT_EQ(started.timers.size(), 1u);
  model::Input fired;
  fired.kind = model::InputKind::kTimerFired;
  fired.stamp = started.timers[0].stamp;
  Outcome timed_out = Advance(*model, snapshot, model::Input(fired), kT0, rng);
  ASSERT_TRUE(timed_out.terminal.has_value());
  EXPECT_EQ(timed_out.terminal->status, model::ExecutionStatus::kTimedOut);

  Outcome redriven = Advance(*model, snapshot, RedriveInput(), kLater, rng);
  EXPECT_TRUE(redriven.redriven);
  EXPECT_FALSE(redriven.terminal.has_value());
  ASSERT_EQ(redriven.timers.size(), 1u);
  EXPECT_EQ(redriven.timers[0].fire_at, kLater + std::chrono::seconds(30));
  ASSERT_EQ(redriven.tasks.size(), 1u);
  EXPECT_EQ(testing::EventTypes(redriven.events),
            (std::vector<std::string>{"ExecutionRedriven", "TaskStateEntered",
                                      "LambdaFunctionScheduled", "LambdaFunctionStarted"}));
  // The stale stamp of the first attempt's task is ignored.
  model::Input stale;
  stale.kind = model::InputKind::kTaskSucceeded;
  stale.stamp = started.tasks[0].stamp;
  EXPECT_TRUE(Advance(*model, snapshot, model::Input(stale), kLater, rng).events.empty());
}

TEST(RedriveTest, AStateThatFailedAfterBuildingItsOutputRunsAgainOnItsInput) {
  // P fails after its output is built (too large, or a ResultPath that does not apply), with
  // nothing to catch or retry it. Its output may be built in its input only where that cannot
  // happen: the redrive must enter P with the input it had and fail the same way.
  const Json input = {{"pad", std::string(600, 'p')}, {"a", 1}};
  struct Case {
    std::string p_state;
    std::string error;
  };
  const Case cases[] = {
      {R"("P": {"Type": "Pass", "Parameters": {"copy.$": "$.pad"}, "ResultPath": "$.more",
                "End": true})",
       "States.DataLimitExceeded"},
      {R"("P": {"Type": "Pass", "Parameters": {"x": 1}, "ResultPath": "$.a.b", "End": true})",
       "States.ResultPathMatchFailure"},
      {R"("P": {"Type": "Pass", "QueryLanguage": "JSONata",
                "Output": "{% $merge([$states.input, {'more': $states.input.pad}]) %}",
                "End": true})",
       "States.DataLimitExceeded"},
  };
  for (const Case& c : cases) {
    auto model = testing::BuildModel(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Next": "P"}, )" +
                                     c.p_state + "}}");
    AdvanceOptions options;
    options.max_payload_bytes = 1000;
    model::ExecutionSnapshot snapshot;
    testing::DriveResult first = testing::DriveFrom(
        *model, snapshot, testing::StartInput(input, kT0), kT0, nullptr, 100, options);
    ASSERT_TRUE(first.terminal.has_value()) << first.problem;
    EXPECT_EQ(first.terminal->error, c.error) << c.p_state;

    model::ExecutionSnapshot stored = RoundTrip(snapshot);
    testing::DriveResult second =
        testing::DriveFrom(*model, stored, RedriveInput(), kLater, nullptr, 100, options);
    ASSERT_TRUE(second.terminal.has_value()) << second.problem;
    EXPECT_EQ(second.terminal->error, c.error) << c.p_state;
    bool entered = false;
    for (const model::HistoryEvent& event : second.events) {
      if (event.type != "PassStateEntered") continue;
      entered = true;
      EXPECT_EQ(json::Parse(event.details.ToJson()["input"].get<std::string>()).value(), input)
          << c.p_state;
    }
    EXPECT_TRUE(entered) << c.p_state;
  }
}

TEST(RedriveTest, OnlyUnsuccessfulExecutionsAreRedriven) {
  auto model = testing::BuildModel(
      R"({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}})");
  base::Rng rng(7);
  model::ExecutionSnapshot snapshot;
  Outcome done = Advance(*model, snapshot, testing::StartInput(Json::object(), kT0), kT0, rng);
  ASSERT_TRUE(done.terminal.has_value());
  Outcome redriven = Advance(*model, snapshot, RedriveInput(), kLater, rng);
  EXPECT_FALSE(redriven.redriven);
  EXPECT_TRUE(redriven.events.empty());
  EXPECT_EQ(snapshot.status, model::ExecutionStatus::kSucceeded);
}

TEST(RedriveTest, CaughtParallelFailureKeepsNoChildren) {
  auto model = testing::BuildModel(R"({"StartAt": "Both", "States": {
    "Both": {"Type": "Parallel", "Next": "Fail",
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Fail"}], "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
      {"StartAt": "B", "States": {"B": {"Type": "Fail", "Error": "Nope"}}}]},
    "Fail": {"Type": "Fail", "Error": "Final"}}})");
  model::ExecutionSnapshot snapshot;
  testing::DriveResult first =
      testing::DriveFrom(*model, snapshot, testing::StartInput(Json::object(), kT0), kT0);
  ASSERT_TRUE(first.terminal.has_value()) << first.problem;
  EXPECT_EQ(first.terminal->error, "Final");
  for (size_t idx = 1; idx < snapshot.frames.size(); ++idx) {
    EXPECT_EQ(snapshot.frames[idx].phase, model::FramePhase::kFree) << idx;
  }
  // The redrive enters the Fail state again (it is the unsuccessful one), not the Parallel.
  testing::DriveResult second = testing::DriveFrom(*model, snapshot, RedriveInput(), kLater);
  ASSERT_TRUE(second.terminal.has_value()) << second.problem;
  EXPECT_EQ(testing::EventTypes(second.events),
            (std::vector<std::string>{"ExecutionRedriven", "FailStateEntered", "ExecutionFailed"}));
  EXPECT_EQ(snapshot.info.redrive_count, 1);
}

}  // namespace
}  // namespace flowstate::engine

namespace flowstate::engine {
namespace {

TEST(RedriveTest, DistributedMapRunIsRedrivenWithItsArn) {
  auto model = testing::BuildModel(R"({"StartAt": "Each", "States": {
    "Each": {"Type": "Map", "End": true, "ItemProcessor": {
      "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
      "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": ")" +
                                   Fn("work") + R"(", "End": true}}}}}})");
  int calls = 0;
  bool reject = true;
  testing::TaskAnswer answer = [&](const model::OutboundTask& task) {
    ++calls;
    model::Input reply;
    if (task.parameters == Json(2) && reject) {
      reject = false;
      reply.kind = model::InputKind::kTaskFailed;
      reply.error = "Flaky";
    } else {
      reply.kind = model::InputKind::kTaskSucceeded;
      reply.payload = task.parameters;
    }
    return std::optional<model::Input>(reply);
  };
  model::ExecutionSnapshot snapshot;
  testing::DriveResult first = testing::DriveFrom(
      *model, snapshot, testing::StartInput(Json::array({1, 2, 3}), kT0), kT0, answer);
  ASSERT_TRUE(first.terminal.has_value()) << first.problem;
  EXPECT_EQ(first.terminal->status, model::ExecutionStatus::kFailed);
  std::string map_run_arn;
  for (const auto& event : first.events) {
    if (event.type == "MapRunStarted") map_run_arn = event.details.ToJson()["mapRunArn"];
  }
  ASSERT_FALSE(map_run_arn.empty());
  const int first_calls = calls;

  model::ExecutionSnapshot stored = RoundTrip(snapshot);
  testing::DriveResult second = testing::DriveFrom(*model, stored, RedriveInput(), kLater, answer);
  ASSERT_TRUE(second.terminal.has_value()) << second.problem;
  EXPECT_EQ(second.terminal->status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(second.terminal->output, Json::array({1, 2, 3}));
  // The three items ran at once: 1 succeeded, 2 failed and its failure aborted 3. Only 2 and 3
  // run again.
  EXPECT_EQ(first_calls, 3);
  EXPECT_EQ(calls - first_calls, 2);
  std::vector<std::string> types = testing::EventTypes(second.events);
  ASSERT_GE(types.size(), 2u);
  EXPECT_EQ(types[1], "MapRunRedriven");
  EXPECT_EQ(second.events[1].details.ToJson(),
            Json({{"mapRunArn", map_run_arn}, {"redriveCount", 1}}));
  EXPECT_EQ(Count(types, "MapRunSucceeded"), 1);
}

}  // namespace
}  // namespace flowstate::engine

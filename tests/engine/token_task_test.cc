// Unit tests of activity and `.waitForTaskToken` tasks in engine::Advance: the token in
// `$$.Task.Token`, ActivityScheduled/Started/Succeeded/Failed/TimedOut/ScheduleFailed,
// TaskSubmitted, heartbeats (lazy deadline) and closed tokens.
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
constexpr const char* kActivityArn = "arn:aws:states:us-east-1:111111111111:activity:approve";

model::Input Answer(model::InputKind kind, uint64_t stamp) {
  model::Input input;
  input.kind = kind;
  input.stamp = stamp;
  return input;
}

std::string ActivityMachine(const std::string& extra) {
  return R"({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": ")" +
         std::string(kActivityArn) + R"(", )" + extra + R"( "End": true}}})";
}

struct Sequence {
  int next = 0;
  AdvanceOptions options;
  Sequence() {
    options.new_task_token = [this] { return "token-" + std::to_string(++next); };
  }
};

TEST(TokenTaskTest, ActivityScheduledStartedSucceeded) {
  auto model =
      testing::BuildModel(ActivityMachine(R"("TimeoutSeconds": 60, "HeartbeatSeconds": 10,)"));
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  Sequence tokens;
  Outcome first =
      Advance(*model, snapshot, testing::StartInput({{"x", 1}}, kT0), kT0, rng, tokens.options);
  ASSERT_EQ(first.tasks.size(), 1u);
  const model::OutboundTask task = first.tasks[0];
  EXPECT_EQ(task.kind, model::TaskKind::kActivity);
  EXPECT_EQ(task.resource, kActivityArn);
  EXPECT_EQ(task.task_token, "token-1");
  EXPECT_EQ(task.parameters, Json({{"x", 1}}));
  EXPECT_EQ(
      testing::EventTypes(first.events),
      (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled"}));
  const Json scheduled = first.events[2].details.ToJson();
  EXPECT_EQ(first.events[2].details_key, "activityScheduledEventDetails");
  EXPECT_EQ(scheduled["resource"], kActivityArn);
  EXPECT_EQ(scheduled["input"], R"({"x":1})");
  EXPECT_EQ(scheduled["timeoutInSeconds"], 60);
  EXPECT_EQ(scheduled["heartbeatInSeconds"], 10);
  EXPECT_EQ(first.timers.size(), 1u);  // TimeoutSeconds; the heartbeat clock starts later

  model::Input started = Answer(model::InputKind::kActivityStarted, task.stamp);
  started.worker_name = "worker-1";
  Outcome second = Advance(*model, snapshot, model::Input(started), kT0, rng, tokens.options);
  EXPECT_EQ(testing::EventTypes(second.events), (std::vector<std::string>{"ActivityStarted"}));
  EXPECT_EQ(second.events[0].details.ToJson()["workerName"], "worker-1");
  EXPECT_EQ(second.timers.size(), 1u);  // the heartbeat timer

  model::Input done = Answer(model::InputKind::kTaskSucceeded, task.stamp);
  done.payload = {{"approved", true}};
  Outcome third = Advance(*model, snapshot, model::Input(done), kT0, rng, tokens.options);
  EXPECT_EQ(
      testing::EventTypes(third.events),
      (std::vector<std::string>{"ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(third.events[0].details.ToJson()["output"], R"({"approved":true})");
  ASSERT_EQ(third.closed_tokens.size(), 1u);
  EXPECT_EQ(third.closed_tokens[0].token, "token-1");
  EXPECT_FALSE(third.closed_tokens[0].timed_out);
}

TEST(TokenTaskTest, ActivityFailureIsCaughtAndScheduleFailureIsRuntime) {
  auto model = testing::BuildModel(ActivityMachine(
      R"("Catch": [{"ErrorEquals": ["Rejected"], "Next": "No"}], "Next": "Yes"}, "Yes": {"Type": "Succeed"}, "No": {"Type": "Fail", "Error": "Denied"}, "Z": {"Type": "Pass",)"));
  {
    model::ExecutionSnapshot snapshot;
    base::Rng rng(1);
    Outcome first = Advance(*model, snapshot, testing::StartInput(Json::object(), kT0), kT0, rng);
    EXPECT_FALSE(first.tasks.at(0).task_token.empty());  // from rng without a token source
    model::Input failed = Answer(model::InputKind::kTaskFailed, first.tasks[0].stamp);
    failed.error = "Rejected";
    failed.cause = "no";
    Outcome second = Advance(*model, snapshot, model::Input(failed), kT0, rng);
    EXPECT_EQ(testing::EventTypes(second.events),
              (std::vector<std::string>{"ActivityFailed", "TaskStateExited", "FailStateEntered",
                                        "ExecutionFailed"}));
    EXPECT_EQ(second.events[0].details.ToJson()["error"], "Rejected");
    EXPECT_EQ(second.closed_tokens.size(), 1u);
  }
  {
    model::ExecutionSnapshot snapshot;
    base::Rng rng(1);
    Outcome first = Advance(*model, snapshot, testing::StartInput(Json::object(), kT0), kT0, rng);
    model::Input unscheduled =
        Answer(model::InputKind::kTaskScheduleFailed, first.tasks.at(0).stamp);
    unscheduled.error = "States.Runtime";
    unscheduled.cause = "The activity does not exist.";
    Outcome second = Advance(*model, snapshot, model::Input(unscheduled), kT0, rng);
    EXPECT_EQ(testing::EventTypes(second.events),
              (std::vector<std::string>{"ActivityScheduleFailed", "ExecutionFailed"}));
  }
}

TEST(TokenTaskTest, HeartbeatsMoveTheDeadlineUntilOneIsMissed) {
  auto model = testing::BuildModel(ActivityMachine(R"("HeartbeatSeconds": 10,
      "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 3}],
      "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Late"}], "Next": "Late"},
      "Late": {"Type": "Pass",)"));
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  Sequence tokens;
  Outcome first =
      Advance(*model, snapshot, testing::StartInput(Json::object(), kT0), kT0, rng, tokens.options);
  const uint64_t stamp = first.tasks.at(0).stamp;
  model::Input started = Answer(model::InputKind::kActivityStarted, stamp);
  Outcome second = Advance(*model, snapshot, model::Input(started), kT0, rng, tokens.options);
  ASSERT_EQ(second.timers.size(), 1u);
  const model::TimerRequest heartbeat_timer = second.timers[0];
  EXPECT_EQ(heartbeat_timer.fire_at, kT0 + std::chrono::seconds(10));

  // A heartbeat at +6 s writes no event and sets no timer.
  Outcome beat = Advance(*model, snapshot, Answer(model::InputKind::kHeartbeat, stamp),
                         kT0 + std::chrono::seconds(6), rng, tokens.options);
  EXPECT_TRUE(beat.events.empty());
  EXPECT_TRUE(beat.timers.empty());

  // The timer fires at +10 s, sees the deadline moved to +16 s and re-arms there.
  Outcome early =
      Advance(*model, snapshot, Answer(model::InputKind::kTimerFired, heartbeat_timer.stamp),
              heartbeat_timer.fire_at, rng, tokens.options);
  EXPECT_TRUE(early.events.empty());
  ASSERT_EQ(early.timers.size(), 1u);
  EXPECT_EQ(early.timers[0].fire_at, kT0 + std::chrono::seconds(16));

  // No heartbeat since: at +16 s the task times out with States.HeartbeatTimeout, which
  // States.TaskFailed does not retry and States.Timeout catches.
  Outcome missed =
      Advance(*model, snapshot, Answer(model::InputKind::kTimerFired, early.timers[0].stamp),
              early.timers[0].fire_at, rng, tokens.options);
  EXPECT_EQ(testing::EventTypes(missed.events),
            (std::vector<std::string>{"ActivityTimedOut", "TaskStateExited", "PassStateEntered",
                                      "PassStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(missed.events[0].details.ToJson()["error"], "States.HeartbeatTimeout");
  ASSERT_EQ(missed.closed_tokens.size(), 1u);
  EXPECT_TRUE(missed.closed_tokens[0].timed_out);

  // A late answer changes nothing.
  Outcome late = Advance(*model, snapshot, Answer(model::InputKind::kTaskSucceeded, stamp),
                         early.timers[0].fire_at, rng, tokens.options);
  EXPECT_TRUE(late.events.empty());
}

TEST(TokenTaskTest, WaitForTaskTokenPassesTheTokenAndRecordsTaskSubmitted) {
  auto model = testing::BuildModel(R"({"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token",
                                                            "who.$": "$.who"}},
      "TimeoutSeconds": 300, "End": true}}})");
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  Sequence tokens;
  Outcome first = Advance(*model, snapshot, testing::StartInput({{"who", "ann"}}, kT0), kT0, rng,
                          tokens.options);
  ASSERT_EQ(first.tasks.size(), 1u);
  const model::OutboundTask task = first.tasks[0];
  EXPECT_EQ(task.kind, model::TaskKind::kLambdaInvoke);
  EXPECT_TRUE(task.wait_for_task_token);
  EXPECT_EQ(task.task_token, "token-1");
  EXPECT_EQ(task.parameters["Payload"], Json({{"token", "token-1"}, {"who", "ann"}}));
  EXPECT_EQ(first.events[2].details.ToJson()["resource"], "invoke.waitForTaskToken");

  model::Input submitted = Answer(model::InputKind::kTaskSubmitted, task.stamp);
  submitted.payload = {{"StatusCode", 200}};
  Outcome second = Advance(*model, snapshot, model::Input(submitted), kT0, rng, tokens.options);
  EXPECT_EQ(testing::EventTypes(second.events), (std::vector<std::string>{"TaskSubmitted"}));
  EXPECT_EQ(second.events[0].details.ToJson()["output"], R"({"StatusCode":200})");

  model::Input approved = Answer(model::InputKind::kTaskSucceeded, task.stamp);
  approved.payload = {{"approved", true}};
  Outcome third = Advance(*model, snapshot, model::Input(approved), kT0, rng, tokens.options);
  EXPECT_EQ(testing::EventTypes(third.events),
            (std::vector<std::string>{"TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}));
  EXPECT_EQ(third.terminal->output, Json({{"approved", true}}));
}

TEST(TokenTaskTest, StopClosesThePendingTokenAndSnapshotKeepsIt) {
  auto model = testing::BuildModel(ActivityMachine(R"("HeartbeatSeconds": 5,)"));
  model::ExecutionSnapshot snapshot;
  base::Rng rng(1);
  Sequence tokens;
  Outcome first =
      Advance(*model, snapshot, testing::StartInput(Json::object(), kT0), kT0, rng, tokens.options);
  Advance(*model, snapshot, Answer(model::InputKind::kActivityStarted, first.tasks.at(0).stamp),
          kT0, rng, tokens.options);
  auto restored = model::ExecutionSnapshot::FromJson(snapshot.ToJson());
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->frames.at(0).task_token, "token-1");
  EXPECT_TRUE(restored->frames.at(0).task_started);
  EXPECT_EQ(restored->frames.at(0).heartbeat_seconds, 5);

  model::Input stop;
  stop.kind = model::InputKind::kStop;
  Outcome stopped = Advance(*model, *restored, model::Input(stop), kT0, rng, tokens.options);
  ASSERT_EQ(stopped.closed_tokens.size(), 1u);
  EXPECT_EQ(stopped.closed_tokens[0].token, "token-1");
  ASSERT_TRUE(stopped.terminal.has_value());
}

}  // namespace
}  // namespace flowstate::engine

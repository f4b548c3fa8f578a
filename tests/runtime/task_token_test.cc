// TaskTokenRegistry, ActivityBroker and the runtime's handling of activity and
// `.waitForTaskToken` tasks (register, answer, heartbeat, close, activity polls).
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "asl/definition.h"
#include "eventually.h"
#include "runtime/activity_broker.h"
#include "runtime/runtime.h"
#include "runtime/task_dispatcher.h"
#include "runtime/task_token_registry.h"
#include "runtime/timer_service.h"
#include "store/memory/memory_store.h"

namespace flowstate::runtime {
namespace {

using std::chrono::seconds;

constexpr const char* kActivityArn = "arn:aws:states:us-east-1:123456789012:activity:approve";

TEST(TaskTokenRegistryTest, TokensAreLongRandomAndUrlSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = TaskTokenRegistry::NewToken();
    EXPECT_EQ(token.size(), 44u);  // "T" + 256 bits in base64url without padding
    EXPECT_EQ(token[0], 'T');      // never `-`: tokens are passed on command lines
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-_"),
              std::string::npos);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(TaskTokenRegistryTest, PendingForListsOnlyTheTokensStillAwaited) {
  TaskTokenRegistry registry;
  registry.Register("b", TokenTarget{"exec-1", 9});
  registry.Register("a", TokenTarget{"exec-1", 7});
  registry.Register("c", TokenTarget{"exec-2", 3});
  EXPECT_EQ(registry.PendingFor("exec-1"), (std::vector<std::string>{"a", "b"}));
  TokenTarget target;
  EXPECT_EQ(registry.Lookup("a", /*answer=*/true, &target), TokenStatus::kPending);
  EXPECT_EQ(registry.PendingFor("exec-1"), (std::vector<std::string>{"b"}));
  registry.CloseExecution("exec-1");
  EXPECT_TRUE(registry.PendingFor("exec-1").empty());
  EXPECT_EQ(registry.PendingFor("exec-2"), (std::vector<std::string>{"c"}));
  EXPECT_TRUE(registry.PendingFor("unknown").empty());
}

TEST(TaskTokenRegistryTest, AnswerOnceThenDoesNotExistAndTimedOutStaysTimedOut) {
  TaskTokenRegistry registry;
  registry.Register("a", TokenTarget{"exec-1", 7});
  registry.Register("b", TokenTarget{"exec-1", 9});
  registry.Register("c", TokenTarget{"exec-2", 3});
  TokenTarget target;
  EXPECT_EQ(registry.Lookup("a", /*answer=*/false, &target), TokenStatus::kPending);  // heartbeat
  EXPECT_EQ(target.execution_arn, "exec-1");
  EXPECT_EQ(target.stamp, 7u);
  EXPECT_EQ(registry.Lookup("a", /*answer=*/true, &target), TokenStatus::kPending);
  EXPECT_EQ(registry.Lookup("a", /*answer=*/true, &target), TokenStatus::kFinished);
  registry.Close("b", /*timed_out=*/true);
  EXPECT_EQ(registry.Lookup("b", /*answer=*/true, &target), TokenStatus::kTimedOut);
  EXPECT_EQ(registry.Lookup("forged", /*answer=*/true, &target), TokenStatus::kUnknown);
  registry.CloseExecution("exec-2");
  EXPECT_EQ(registry.Lookup("c", /*answer=*/false, &target), TokenStatus::kFinished);
  EXPECT_EQ(registry.PendingForTesting(), 0u);
}

class ActivityBrokerTest : public ::testing::Test {
 protected:
  ActivityBrokerTest()
      : clock_(base::FromUnixMillis(1700000000000)),
        timers_(clock_),
        broker_(
            ActivityBrokerOptions{}, timers_, clock_,
            [this](const ActivityTask& task) { return task.token != stale_; },
            [this](const ActivityTask& task, const std::string& worker) {
              claims_.push_back(task.token + "@" + worker);
            }) {}
  ~ActivityBrokerTest() override { timers_.Stop(); }

  base::ManualClock clock_;
  TimerService timers_;
  std::string stale_;
  std::vector<std::string> claims_;
  ActivityBroker broker_;
};

TEST_F(ActivityBrokerTest, ParkedPollGetsTheNextTaskAndQueuedTaskTheNextPoll) {
  std::vector<std::optional<ActivityTask>> answers;
  auto record = [&answers](std::optional<ActivityTask> task) { answers.push_back(task); };
  ASSERT_TRUE(broker_.Poll(kActivityArn, "w1", record).ok());
  EXPECT_TRUE(answers.empty());  // parked
  EXPECT_EQ(broker_.ParkedForTesting(kActivityArn), 1u);
  broker_.Enqueue(kActivityArn, ActivityTask{"t1", "{}", "exec", 1});  // sync match
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0]->token, "t1");

  stale_ = "t2";  // its execution stopped waiting before anyone polled
  broker_.Enqueue(kActivityArn, ActivityTask{"t2", "{}", "exec", 2});
  broker_.Enqueue(kActivityArn, ActivityTask{"t3", "{}", "exec", 3});
  ASSERT_TRUE(broker_.Poll(kActivityArn, "w2", record).ok());
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[1]->token, "t3");
  EXPECT_EQ(claims_, (std::vector<std::string>{"t1@w1", "t3@w2"}));
}

TEST_F(ActivityBrokerTest, PollEndsEmptyAfterSixtySecondsAndPollersAreBounded) {
  std::vector<std::optional<ActivityTask>> answers;
  auto record = [&answers](std::optional<ActivityTask> task) { answers.push_back(task); };
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(broker_.Poll(kActivityArn, "w", record).ok());
  }
  EXPECT_EQ(broker_.Poll(kActivityArn, "w", record).code(), base::StatusCode::kUnavailable);
  clock_.Advance(seconds(59));
  EXPECT_EQ(timers_.RunDue(), 0u);
  clock_.Advance(seconds(1));
  timers_.RunDue();
  ASSERT_EQ(answers.size(), 1000u);
  for (const auto& answer : answers) {
    EXPECT_FALSE(answer.has_value());
  }
  EXPECT_EQ(broker_.ParkedForTesting(kActivityArn), 0u);
}

// Runtime: activity and callback tasks end to end on lanes, with a manual clock.
class NoTasks final : public TaskDispatcher {
 public:
  void Dispatch(const model::OutboundTask& task, Done done) override {
    std::lock_guard lock(mu_);
    calls_.push_back({task, std::move(done)});
  }
  std::vector<std::pair<model::OutboundTask, Done>> Calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<model::OutboundTask, Done>> calls_;
};

class RuntimeTokenTest : public ::testing::Test {
 protected:
  RuntimeTokenTest()
      : clock_(base::FromUnixMillis(1700000000000)),
        timers_(clock_),
        runtime_(RuntimeOptions{2, 5}, store_, clock_, dispatcher_, timers_) {
    EXPECT_TRUE(store_.CreateCatalogEntry(store::kActivityCatalog, kActivityArn, "{}").ok());
  }
  ~RuntimeTokenTest() override {
    timers_.Stop();
    runtime_.Shutdown();
  }

  std::future<ExecutionResult> StartStandard(const std::string& name,
                                             const std::string& definition) {
    store::ExecutionRecord record;
    record.arn = "arn:aws:states:us-east-1:123456789012:execution:m:" + name;
    record.name = name;
    record.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
    record.start_date = clock_.Now();
    EXPECT_TRUE(store_.StartExecution(record).has_value());
    auto model = asl::LoadDefinition(definition, asl::ValidationOptions{});
    EXPECT_TRUE(model.has_value()) << (model ? "" : model.error().message());
    auto promise = std::make_shared<std::promise<ExecutionResult>>();
    StartRequest request;
    request.info.execution_arn = record.arn;
    request.info.execution_name = name;
    request.info.state_machine_arn = record.state_machine_arn;
    request.info.state_machine_name = "m";
    request.info.start_time = clock_.Now();
    request.model = *model;
    request.input = json::Json::object();
    request.on_end = [promise](const ExecutionResult& result) { promise->set_value(result); };
    runtime_.Start(std::move(request));
    return promise->get_future();
  }

  // Polls the activity until a task comes (each poll parks until one is scheduled).
  ActivityTask PollTask(const std::string& worker) {
    auto got = std::make_shared<std::promise<std::optional<ActivityTask>>>();
    EXPECT_TRUE(runtime_.activities()
                    .Poll(kActivityArn, worker,
                          [got](std::optional<ActivityTask> task) { got->set_value(task); })
                    .ok());
    auto future = got->get_future();
    EXPECT_EQ(future.wait_for(kHangGuard), std::future_status::ready);
    auto task = future.get();
    EXPECT_TRUE(task.has_value());
    return task.value_or(ActivityTask{});
  }

  std::vector<std::string> EventTypes(const std::string& name) {
    std::vector<std::string> types;
    auto page = store_.GetHistory("arn:aws:states:us-east-1:123456789012:execution:m:" + name,
                                  {1000, ""}, false);
    for (const auto& event : page->items) {
      types.emplace_back(event.type);
    }
    return types;
  }

  static model::Input Success(const json::Json& output) {
    model::Input answer;
    answer.kind = model::InputKind::kTaskSucceeded;
    answer.payload = output;
    return answer;
  }

  base::ManualClock clock_;
  store::MemoryStore store_;
  NoTasks dispatcher_;
  TimerService timers_;
  Runtime runtime_;
};

TEST_F(RuntimeTokenTest, ActivityWorkerCompletesTheTaskAndTheTokenEnds) {
  auto ended = StartStandard(
      "a1", std::string(R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":")") +
                kActivityArn + R"(","End":true}}})");
  const ActivityTask task = PollTask("worker-7");
  EXPECT_EQ(runtime_.AnswerTask(task.token, Success({{"done", true}})), TokenStatus::kPending);
  ASSERT_EQ(ended.wait_for(kHangGuard), std::future_status::ready);
  const ExecutionResult result = ended.get();
  EXPECT_EQ(result.status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(result.output, R"({"done":true})");
  EXPECT_EQ(EventTypes("a1"),
            (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                      "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                                      "ExecutionSucceeded"}));
  EXPECT_EQ(runtime_.AnswerTask(task.token, Success({})), TokenStatus::kFinished);
  EXPECT_EQ(runtime_.AnswerTask("forged", Success({})), TokenStatus::kUnknown);
}

TEST_F(RuntimeTokenTest, MissedHeartbeatTimesTheTokenOut) {
  auto ended = StartStandard(
      "a2", std::string(R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":")") +
                kActivityArn + R"(","HeartbeatSeconds":10,"End":true}}})");
  // Poll only once the task is queued, so the poll takes it at once and arms no poll timer.
  ASSERT_TRUE(
      Eventually([&] { return runtime_.activities().QueuedForTesting(kActivityArn) == 1; }));
  const ActivityTask task = PollTask("w");
  const std::string arn = "arn:aws:states:us-east-1:123456789012:execution:m:a2";
  // ActivityStarted arms the heartbeat timer on the lane; wait until it is armed.
  ASSERT_TRUE(Eventually([&] { return timers_.pending() == 1; }));
  const int64_t version = store_.GetExecution(arn)->version;
  model::Input beat;
  beat.kind = model::InputKind::kHeartbeat;
  clock_.Advance(seconds(5));
  EXPECT_EQ(runtime_.AnswerTask(task.token, beat), TokenStatus::kPending);
  // The heartbeat is a commit without events.
  ASSERT_TRUE(Eventually([&] { return store_.GetExecution(arn)->version == version + 1; }));
  EXPECT_EQ(EventTypes("a2").size(), 4u);
  clock_.Advance(seconds(20));
  timers_.RunDue();
  ASSERT_EQ(ended.wait_for(kHangGuard), std::future_status::ready);
  EXPECT_EQ(ended.get().error, "States.HeartbeatTimeout");
  EXPECT_EQ(runtime_.AnswerTask(task.token, Success({})), TokenStatus::kTimedOut);
}

TEST_F(RuntimeTokenTest, UnknownActivityFailsTheSchedule) {
  auto ended =
      StartStandard("a3", R"({"StartAt":"A","States":{"A":{"Type":"Task",)"
                          R"("Resource":"arn:aws:states:us-east-1:123456789012:activity:gone",)"
                          R"("End":true}}})");
  ASSERT_EQ(ended.wait_for(kHangGuard), std::future_status::ready);
  EXPECT_EQ(ended.get().error, "States.Runtime");
  EXPECT_EQ(EventTypes("a3"),
            (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                      "ActivityScheduleFailed", "ExecutionFailed"}));
}

TEST_F(RuntimeTokenTest, WaitForTaskTokenLambdaResponseIsOnlySubmitted) {
  auto ended = StartStandard(
      "c1",
      R"({"StartAt":"Ask","States":{"Ask":{"Type":"Task",)"
      R"("Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",)"
      R"("Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},"End":true}}})");
  ASSERT_TRUE(Eventually([&] { return dispatcher_.Calls().size() == 1; }));
  auto [task, done] = dispatcher_.Calls()[0];
  const std::string token = task.parameters["Payload"]["token"].get<std::string>();
  EXPECT_EQ(token, task.task_token);
  model::Input response;
  response.kind = model::InputKind::kTaskSucceeded;
  response.stamp = task.stamp;
  response.payload = {{"StatusCode", 200}};
  done(response);
  ASSERT_TRUE(Eventually([&] { return EventTypes("c1").size() == 5; }));
  EXPECT_EQ(EventTypes("c1").back(), "TaskSubmitted");
  EXPECT_EQ(runtime_.AnswerTask(token, Success({{"approved", true}})), TokenStatus::kPending);
  ASSERT_EQ(ended.wait_for(kHangGuard), std::future_status::ready);
  EXPECT_EQ(ended.get().output, R"({"approved":true})");
}

}  // namespace
}  // namespace flowstate::runtime

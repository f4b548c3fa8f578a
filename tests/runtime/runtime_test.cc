#include "runtime/runtime.h"

#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "asl/definition.h"
#include "eventually.h"
#include "runtime/task_dispatcher.h"
#include "runtime/timer_service.h"
#include "store/memory/memory_store.h"

namespace flowstate::runtime {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Records every task and lets the test answer it.
class FakeDispatcher final : public TaskDispatcher {
 public:
  void Dispatch(const model::OutboundTask& task, Done done) override {
    std::lock_guard lock(mu_);
    tasks_.push_back({task, std::move(done)});
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return tasks_.size();
  }
  std::pair<model::OutboundTask, Done> Take(size_t index) {
    std::lock_guard lock(mu_);
    return tasks_.at(index);
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<model::OutboundTask, Done>> tasks_;
};

class RuntimeTest : public ::testing::Test {
 protected:
  RuntimeTest()
      : clock_(base::FromUnixMillis(1700000000000)),
        timers_(clock_),
        runtime_(RuntimeOptions{2, 7}, store_, clock_, dispatcher_, timers_) {}
  ~RuntimeTest() override {
    timers_.Stop();
    runtime_.Shutdown();
  }

  ModelPtr Load(const std::string& definition) {
    auto model = asl::LoadDefinition(definition, asl::ValidationOptions{});
    EXPECT_TRUE(model.has_value()) << (model ? "" : model.error().message());
    return model ? *model : nullptr;
  }

  // Creates the store record and starts a persisted (Standard) execution.
  std::future<ExecutionResult> StartStandard(const std::string& name, const std::string& definition,
                                             const std::string& input = "{}") {
    store::ExecutionRecord record;
    record.arn = "arn:aws:states:us-east-1:123456789012:execution:m:" + name;
    record.name = name;
    record.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
    record.input = input;
    record.start_date = clock_.Now();
    EXPECT_TRUE(store_.StartExecution(record).has_value());
    return Start(record.arn, definition, input, true, std::nullopt);
  }

  std::future<ExecutionResult> Start(const std::string& arn, const std::string& definition,
                                     const std::string& input, bool persist,
                                     std::optional<base::Timestamp> deadline) {
    auto promise = std::make_shared<std::promise<ExecutionResult>>();
    StartRequest request;
    request.info.execution_arn = arn;
    request.info.execution_name = arn.substr(arn.rfind(':') + 1);
    request.info.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
    request.info.state_machine_name = "m";
    request.info.start_time = clock_.Now();
    request.model = Load(definition);
    request.input = *json::Parse(input);
    request.persist = persist;
    request.deadline = deadline;
    request.on_end = [promise](const ExecutionResult& result) { promise->set_value(result); };
    runtime_.Start(std::move(request));
    return promise->get_future();
  }

  static ExecutionResult Await(std::future<ExecutionResult>& future) {
    EXPECT_EQ(future.wait_for(kHangGuard), std::future_status::ready);
    return future.get();
  }

  std::vector<std::string> EventTypes(const std::string& arn) {
    std::vector<std::string> types;
    auto page = store_.GetHistory(arn, {1000, ""}, false);
    EXPECT_TRUE(page.has_value());
    for (const auto& event : page->items) {
      types.emplace_back(event.type);
    }
    return types;
  }

  base::ManualClock clock_;
  store::MemoryStore store_;
  FakeDispatcher dispatcher_;
  TimerService timers_;
  Runtime runtime_;
};

constexpr const char* kPass =
    R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"r":1},"ResultPath":"$.out","End":true}}})";
constexpr const char* kWait =
    R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"End":true}}})";
constexpr const char* kTask =
    R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",)"
    R"("Parameters":{"FunctionName":"f","Payload.$":"$"},"ResultSelector":{"p.$":"$.Payload"},"End":true}}})";

TEST_F(RuntimeTest, PassExecutionCommitsHistoryAndStatus) {
  auto ended = StartStandard("e1", kPass, R"({"a":1})");
  const ExecutionResult result = Await(ended);
  EXPECT_EQ(result.status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(result.output, R"({"a":1,"out":{"r":1}})");
  const std::string arn = "arn:aws:states:us-east-1:123456789012:execution:m:e1";
  ASSERT_TRUE(Eventually(
      [&] { return store_.GetExecution(arn)->status == model::ExecutionStatus::kSucceeded; }));
  const auto record = store_.GetExecution(arn);
  EXPECT_EQ(record->output, R"({"a":1,"out":{"r":1}})");
  const auto types = EventTypes(arn);
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types.front(), "ExecutionStarted");
  EXPECT_EQ(types.back(), "ExecutionSucceeded");
  EXPECT_EQ(runtime_.LiveExecutionsForTesting(), 0u);
}

// The console's live view reads the store when the feed says an execution moved: every publish
// must come after the store has the transition's events.
TEST_F(RuntimeTest, FeedPublishesEachCommittedTransitionAfterTheStoreHasIt) {
  const std::string arn = "arn:aws:states:us-east-1:123456789012:execution:m:watched";
  std::mutex mu;
  std::vector<size_t> seen;  // history length at each publish
  const auto watch = runtime_.feed().Watch(arn, [&] {
    auto page = store_.GetHistory(arn, {1000, ""}, false);
    std::lock_guard lock(mu);
    seen.push_back(page ? page->items.size() : 0);
  });
  const auto publishes = [&] {
    std::lock_guard lock(mu);
    return seen.size();
  };
  auto ended = StartStandard("watched", kWait);
  EXPECT_TRUE(Eventually([&] { return publishes() == 1; }));
  EXPECT_TRUE(Eventually([&] { return timers_.pending() == 1; }));
  clock_.Advance(seconds(600));
  EXPECT_EQ(timers_.RunDue(), 1u);
  EXPECT_EQ(Await(ended).status, model::ExecutionStatus::kSucceeded);
  // The last publish follows the execution's end (effects run first, then watchers hear).
  EXPECT_TRUE(Eventually([&] { return publishes() == 2; }));
  runtime_.feed().Unwatch(watch);
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GT(seen[0], 0u);
  EXPECT_EQ(seen[1], EventTypes(arn).size());
  EXPECT_EQ(EventTypes(arn).back(), "ExecutionSucceeded");
}

TEST_F(RuntimeTest, WaitFiresWhenTheClockReachesIt) {
  auto ended = StartStandard("wait", kWait);
  ASSERT_TRUE(Eventually([&] { return timers_.pending() == 1; }));
  clock_.Advance(seconds(599));
  EXPECT_EQ(timers_.RunDue(), 0u);
  clock_.Advance(seconds(1));
  EXPECT_EQ(timers_.RunDue(), 1u);
  EXPECT_EQ(Await(ended).status, model::ExecutionStatus::kSucceeded);
}

TEST_F(RuntimeTest, TaskResultsComeBackThroughTheLane) {
  auto ended = StartStandard("task", kTask, R"({"x":5})");
  ASSERT_TRUE(Eventually([&] { return dispatcher_.count() == 1; }));
  auto [task, done] = dispatcher_.Take(0);
  EXPECT_EQ(task.kind, model::TaskKind::kLambdaInvoke);
  model::Input result;
  result.kind = model::InputKind::kTaskSucceeded;
  result.stamp = task.stamp;
  result.payload = json::Json{{"Payload", {{"y", 6}}}, {"StatusCode", 200}};
  done(result);
  const ExecutionResult end = Await(ended);
  EXPECT_EQ(end.status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(end.output, R"({"p":{"y":6}})");
}

TEST_F(RuntimeTest, StaleTaskResultIsIgnoredAfterTheEnd) {
  auto ended = StartStandard("stale", kTask);
  ASSERT_TRUE(Eventually([&] { return dispatcher_.count() == 1; }));
  auto [task, done] = dispatcher_.Take(0);
  model::Input failure;
  failure.kind = model::InputKind::kTaskFailed;
  failure.stamp = task.stamp;
  failure.error = "Boom";
  failure.cause = "it broke";
  done(failure);
  const ExecutionResult end = Await(ended);
  EXPECT_EQ(end.status, model::ExecutionStatus::kFailed);
  EXPECT_EQ(end.error, "Boom");
  done(failure);  // a duplicate delivery after the end: dropped, no crash
  EXPECT_TRUE(Eventually([&] { return runtime_.LiveExecutionsForTesting() == 0; }));
}

TEST_F(RuntimeTest, StopAbortsARunningExecution) {
  auto ended = StartStandard("stop", kWait);
  ASSERT_TRUE(Eventually([&] { return timers_.pending() == 1; }));
  std::promise<std::optional<base::Timestamp>> stopped;
  runtime_.Stop("arn:aws:states:us-east-1:123456789012:execution:m:stop", "Err", "Because",
                [&](std::optional<base::Timestamp> at) { stopped.set_value(at); });
  auto stop_future = stopped.get_future();
  ASSERT_EQ(stop_future.wait_for(kHangGuard), std::future_status::ready);
  EXPECT_TRUE(stop_future.get().has_value());
  EXPECT_EQ(Await(ended).status, model::ExecutionStatus::kAborted);
  const auto record = store_.GetExecution("arn:aws:states:us-east-1:123456789012:execution:m:stop");
  EXPECT_EQ(record->status, model::ExecutionStatus::kAborted);
  EXPECT_EQ(EventTypes(record->arn).back(), "ExecutionAborted");

  // Stopping what is no longer running reports nullopt.
  std::promise<std::optional<base::Timestamp>> again;
  runtime_.Stop(record->arn, "", "",
                [&](std::optional<base::Timestamp> at) { again.set_value(at); });
  auto again_future = again.get_future();
  ASSERT_EQ(again_future.wait_for(kHangGuard), std::future_status::ready);
  EXPECT_FALSE(again_future.get().has_value());
}

TEST_F(RuntimeTest, ExpressDeadlineTimesOut) {
  auto ended = Start("arn:aws:states:us-east-1:123456789012:express:m:x:uuid", kWait, "{}", false,
                     clock_.Now() + std::chrono::minutes(5));
  ASSERT_TRUE(Eventually([&] { return timers_.pending() == 2; }));  // deadline + Wait
  clock_.Advance(std::chrono::minutes(5));
  timers_.RunDue();
  const ExecutionResult end = Await(ended);
  EXPECT_EQ(end.status, model::ExecutionStatus::kTimedOut);
  EXPECT_EQ(end.error, "States.Timeout");
  // Express executions leave nothing in the store.
  EXPECT_TRUE(store_.RunningExecutions()->empty());
}

TEST_F(RuntimeTest, ManyExecutionsAcrossLanes) {
  std::vector<std::future<ExecutionResult>> ended;
  for (int i = 0; i < 200; ++i) {
    ended.push_back(
        Start("arn:aws:states:us-east-1:123456789012:express:m:n" + std::to_string(i) + ":u", kPass,
              R"({"i":)" + std::to_string(i) + "}", false, std::nullopt));
  }
  for (int i = 0; i < 200; ++i) {
    const ExecutionResult end = Await(ended[static_cast<size_t>(i)]);
    EXPECT_EQ(end.output, R"({"i":)" + std::to_string(i) + R"(,"out":{"r":1}})");
  }
}

}  // namespace
}  // namespace flowstate::runtime

// The runtime over a durable store: a runtime that stops (as a killed process does) leaves
// its executions in the store, and a new runtime on the same store resumes them; a commit that
// fails, hangs or has an unknown outcome is reloaded, never guessed, and every execution still
// ends with exactly the history of an uninterrupted run.
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <stdlib.h>

#include "../store/fault_injecting_store.h"
#include "asl/definition.h"
#include "eventually.h"
#include "runtime/runtime.h"
#include "runtime/task_dispatcher.h"
#include "runtime/timer_service.h"
#include "store/memory/memory_store.h"
#include "store/sqlite/sqlite_store.h"

namespace flowstate::runtime {
namespace {

using std::chrono::seconds;

constexpr const char* kMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
constexpr const char* kExecutionPrefix = "arn:aws:states:us-east-1:123456789012:execution:m:";

class RecordingDispatcher final : public TaskDispatcher {
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

// One process's worth of runtime (clock shared across "restarts").
struct Process {
  Process(store::Store& store, base::ManualClock& clock)
      : timers(clock), runtime(RuntimeOptions{2, 7}, store, clock, dispatcher, timers) {}
  ~Process() {
    timers.Stop();
    runtime.Shutdown();
  }
  RecordingDispatcher dispatcher;
  TimerService timers;
  Runtime runtime;
};

constexpr const char* kTwoWaits =
    R"({"StartAt":"W1","States":{"W1":{"Type":"Wait","Seconds":10,"Next":"W2"},)"
    R"("W2":{"Type":"Wait","Seconds":20,"Next":"P"},)"
    R"("P":{"Type":"Pass","Result":{"r":1},"ResultPath":"$.out","End":true}}})";
constexpr const char* kTask =
    R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",)"
    R"("Parameters":{"FunctionName":"f","Payload.$":"$"},"ResultSelector":{"p.$":"$.Payload"},)"
    R"("TimeoutSeconds":100,"End":true}}})";

class RuntimeRecoveryTest : public ::testing::Test {
 protected:
  RuntimeRecoveryTest() : clock_(base::FromUnixMillis(1700000000000)) {}

  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "fs-runtime-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    store::SqliteOptions options;
    options.path = (dir_ / "flowstate.db").string();
    auto store = store::SqliteStore::Open(options);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(*store);
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static void CreateMachine(store::Store& store, const std::string& definition) {
    store::StateMachineRecord machine;
    machine.arn = kMachineArn;
    machine.name = "m";
    machine.definition = definition;
    machine.role_arn = "arn:aws:iam::123456789012:role/r";
    machine.revision_id = "rev-1";
    ASSERT_TRUE(store.CreateStateMachine(machine).ok());
  }

  // What the API does for StartExecution: the record first, then the runtime.
  void StartStandard(store::Store& store, Runtime& runtime, const std::string& name,
                     const std::string& definition, const std::string& input = "{}") {
    store::ExecutionRecord record;
    record.arn = kExecutionPrefix + name;
    record.name = name;
    record.state_machine_arn = kMachineArn;
    record.revision_id = "rev-1";
    record.input = input;
    record.start_date = clock_.Now();
    ASSERT_TRUE(store.StartExecution(record).has_value());
    StartRequest request;
    request.info.execution_arn = record.arn;
    request.info.execution_name = name;
    request.info.state_machine_arn = kMachineArn;
    request.info.state_machine_name = "m";
    request.info.role_arn = "arn:aws:iam::123456789012:role/r";
    request.info.start_time = record.start_date;
    auto model = asl::LoadDefinition(definition, asl::ValidationOptions{});
    ASSERT_TRUE(model.has_value());
    request.model = *model;
    request.input = *json::Parse(input);
    runtime.Start(std::move(request));
  }

  static int64_t Version(store::Store& store, const std::string& name) {
    auto record = store.GetExecution(kExecutionPrefix + name);
    return record ? record->version : -1;
  }

  static model::ExecutionStatus Status(store::Store& store, const std::string& name) {
    return store.GetExecution(kExecutionPrefix + name)->status;
  }

  // The history without timestamps: what an uninterrupted run must match exactly.
  static std::vector<std::string> History(store::Store& store, const std::string& name) {
    std::vector<std::string> events;
    auto page = store.GetHistory(kExecutionPrefix + name, {1000, ""}, false);
    EXPECT_TRUE(page.has_value());
    for (const auto& event : page->items) {
      events.push_back(std::to_string(event.id) + "<" + std::to_string(event.previous_event_id) +
                       " " + std::string(event.type) + " " + event.details.text());
    }
    return events;
  }

  // The history of an uninterrupted run of `definition`, on the fixture's own store.
  std::vector<std::string> UninterruptedHistory(const std::string& name,
                                                const std::string& definition,
                                                const std::string& input = "{}") {
    Process reference(*store_, clock_);
    StartStandard(*store_, reference.runtime, name, definition, input);
    DriveToEnd(*store_, reference, name);
    return History(*store_, name);
  }

  // Fires due timers until the execution ends (each fire lets the lane commit the next step).
  void DriveToEnd(store::Store& store, Process& process, const std::string& name) {
    ASSERT_TRUE(Eventually([&] {
      clock_.Advance(seconds(1));
      process.timers.RunDue();
      return Status(store, name) != model::ExecutionStatus::kRunning;
    }));
  }

  base::ManualClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(RuntimeRecoveryTest, AWaitResumesFromItsTimerRowAfterARestart) {
  CreateMachine(*store_, kTwoWaits);
  const std::vector<std::string> expected =
      UninterruptedHistory("reference", kTwoWaits, R"({"a":1})");
  ASSERT_EQ(expected.size(), 8u);  // Started, W1 in/out, W2 in/out, P in/out, Succeeded

  {
    Process first(*store_, clock_);
    StartStandard(*store_, first.runtime, "e", kTwoWaits, R"({"a":1})");
    ASSERT_TRUE(Eventually([&] { return Version(*store_, "e") == 1; }));  // waiting in W1
  }                             // the process ends with the execution asleep
  clock_.Advance(seconds(15));  // W1 came due while nobody ran
  Process second(*store_, clock_);
  auto resumed = second.runtime.Recover();
  ASSERT_TRUE(resumed.has_value());
  EXPECT_EQ(*resumed, 1u);
  // W1, re-armed from its row, and the look-ahead's next scan.
  ASSERT_TRUE(Eventually([&] { return second.timers.pending() == 2; }));
  EXPECT_EQ(second.timers.RunDue(), 1u);  // W1
  DriveToEnd(*store_, second, "e");
  EXPECT_EQ(Status(*store_, "e"), model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(store_->GetExecution(kExecutionPrefix + std::string("e"))->output,
            R"({"a":1,"out":{"r":1}})");
  auto history = History(*store_, "e");
  ASSERT_EQ(history.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(history[i], expected[i]) << i;
  }
  auto state = store_->LoadExecutionState(kExecutionPrefix + std::string("e"));
  EXPECT_TRUE(state->timers.empty());
}

constexpr const char* kLongWait =
    R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"Next":"P"},)"
    R"("P":{"Type":"Pass","End":true}}})";

// Beyond the timer look-ahead an execution sleeps as rows only; the scan that reaches its timer
// brings it back, and so does a stop.
TEST_F(RuntimeRecoveryTest, ALongWaitLeavesMemoryAndComesBackWhenDue) {
  CreateMachine(*store_, kLongWait);
  Process process(*store_, clock_);
  ASSERT_EQ(process.runtime.Recover().value_or(1), 0u);  // turns the look-ahead on
  StartStandard(*store_, process.runtime, "sleeper", kLongWait);
  StartStandard(*store_, process.runtime, "stopped", kLongWait);
  ASSERT_TRUE(Eventually([&] {
    return Version(*store_, "sleeper") == 1 && Version(*store_, "stopped") == 1 &&
           process.runtime.LiveExecutionsForTesting() == 0;
  }));
  EXPECT_EQ(process.timers.pending(), 1u);  // only the look-ahead's scan

  std::promise<std::optional<base::Timestamp>> stopped;
  process.runtime.Stop(kExecutionPrefix + std::string("stopped"), "E", "C",
                       [&stopped](std::optional<base::Timestamp> at) { stopped.set_value(at); });
  auto future = stopped.get_future();
  ASSERT_EQ(future.wait_for(kHangGuard), std::future_status::ready);
  EXPECT_TRUE(future.get().has_value());
  EXPECT_EQ(Status(*store_, "stopped"), model::ExecutionStatus::kAborted);

  DriveToEnd(*store_, process, "sleeper");
  EXPECT_EQ(Status(*store_, "sleeper"), model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(History(*store_, "sleeper").size(), 6u);  // Started, W in/out, P in/out, Succeeded
}

TEST_F(RuntimeRecoveryTest, AStartWithNoCommittedStepStartsOnRecovery) {
  CreateMachine(*store_, kTwoWaits);
  store::ExecutionRecord record;
  record.arn = kExecutionPrefix + std::string("only-started");
  record.name = "only-started";
  record.state_machine_arn = kMachineArn;
  record.revision_id = "rev-1";
  record.input = R"({"b":2})";
  record.start_date = clock_.Now();
  record.state_machine_version_arn = kMachineArn + std::string(":1");  // started via an alias
  record.state_machine_alias_arn = kMachineArn + std::string(":live");
  ASSERT_TRUE(store_->StartExecution(record).has_value());  // then the process died

  Process process(*store_, clock_);
  ASSERT_EQ(process.runtime.Recover().value_or(0), 1u);
  DriveToEnd(*store_, process, "only-started");
  EXPECT_EQ(store_->GetExecution(record.arn)->output, R"({"b":2,"out":{"r":1}})");
  auto history = History(*store_, "only-started");
  ASSERT_EQ(history.size(), 8u);
  EXPECT_NE(history[0].find("ExecutionStarted"), std::string::npos);
  EXPECT_NE(history[0].find(R"(\"b\":2)"), std::string::npos);
  // The start recovered is the one requested: through the alias, on its version.
  EXPECT_NE(history[0].find(R"("stateMachineVersionArn":")" + record.state_machine_version_arn),
            std::string::npos);
  EXPECT_NE(history[0].find(R"("stateMachineAliasArn":")" + record.state_machine_alias_arn),
            std::string::npos);
}

TEST_F(RuntimeRecoveryTest, AnUnansweredTaskIsDispatchedAgainAfterARestart) {
  CreateMachine(*store_, kTask);
  uint64_t first_stamp = 0;
  {
    Process first(*store_, clock_);
    StartStandard(*store_, first.runtime, "t", kTask, R"({"x":5})");
    ASSERT_TRUE(Eventually([&] { return first.dispatcher.count() == 1; }));
    first_stamp = first.dispatcher.Take(0).first.stamp;
  }  // the Lambda's answer never reached the store
  Process second(*store_, clock_);
  ASSERT_EQ(second.runtime.Recover().value_or(0), 1u);
  ASSERT_TRUE(Eventually([&] { return second.dispatcher.count() == 1; }));
  auto [task, done] = second.dispatcher.Take(0);
  EXPECT_EQ(task.stamp, first_stamp);
  EXPECT_EQ(task.function_name, "f");
  EXPECT_EQ(task.parameters["Payload"], (json::Json{{"x", 5}}));
  EXPECT_EQ(task.timeout_seconds, 100);
  model::Input result;
  result.kind = model::InputKind::kTaskSucceeded;
  result.stamp = task.stamp;
  result.payload = json::Json{{"Payload", {{"y", 6}}}, {"StatusCode", 200}};
  done(result);
  done(result);  // a duplicate answer (at-least-once delivery) changes nothing
  ASSERT_TRUE(
      Eventually([&] { return Status(*store_, "t") == model::ExecutionStatus::kSucceeded; }));
  EXPECT_EQ(store_->GetExecution(kExecutionPrefix + std::string("t"))->output, R"({"p":{"y":6}})");
  auto history = History(*store_, "t");
  size_t scheduled = 0;
  size_t succeeded = 0;
  for (const auto& event : history) {
    scheduled += event.find("TaskScheduled") != std::string::npos ? 1 : 0;
    succeeded += event.find("TaskSucceeded") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(scheduled, 1u);
  EXPECT_EQ(succeeded, 1u);
  auto state = store_->LoadExecutionState(kExecutionPrefix + std::string("t"));
  EXPECT_TRUE(state->outbox.empty());
  EXPECT_TRUE(state->timers.empty());
}

// Every commit of a three-commit execution, failed in each way the store can fail: the
// runtime reloads and the execution ends with the uninterrupted run's history.
TEST_F(RuntimeRecoveryTest, AFailedOrUnknownCommitIsReloadedAndAppliedOnce) {
  using Mode = store::FaultInjectingStore::Mode;
  CreateMachine(*store_, kTwoWaits);
  const std::vector<std::string> expected = UninterruptedHistory("ref", kTwoWaits);
  int case_number = 0;
  for (const Mode mode : {Mode::kFail, Mode::kUnknownOutcome}) {
    for (int fail_at = 1; fail_at <= 3; ++fail_at) {
      const std::string name = "case" + std::to_string(case_number++);
      store::FaultInjectingStore faulty(*store_, fail_at, mode);
      Process process(faulty, clock_);
      StartStandard(faulty, process.runtime, name, kTwoWaits);
      DriveToEnd(faulty, process, name);
      EXPECT_EQ(Status(faulty, name), model::ExecutionStatus::kSucceeded) << name;
      auto history = History(faulty, name);
      ASSERT_EQ(history.size(), expected.size()) << name;
      for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(history[i], expected[i]) << name << " " << i;
      }
      ASSERT_TRUE(Eventually([&] { return process.runtime.LiveExecutionsForTesting() == 0; }));
    }
  }
}

// The answer whose commit was lost is applied again after the reload (an answer through a task
// token has no row to come back from); the task dispatched again meanwhile answers a stamp
// already answered, which changes nothing.
// Commits that keep failing: after the first failure's immediate reload, each further one
// waits a growing backoff on the runtime's clock (a store that stays broken must not make the
// lane spin), then the execution is reloaded and its step applied again, as after one failure.
TEST_F(RuntimeRecoveryTest, CommitsThatKeepFailingAreRetriedAfterABackoff) {
  CreateMachine(*store_, kTwoWaits);
  const std::vector<std::string> expected = UninterruptedHistory("steady", kTwoWaits);
  store::FaultInjectingStore faulty(*store_, 0, store::FaultInjectingStore::Mode::kFail);
  Process process(faulty, clock_);
  StartStandard(faulty, process.runtime, "broken", kTwoWaits);
  ASSERT_TRUE(Eventually([&] { return Version(faulty, "broken") >= 1; }));
  const int before = faulty.commits();
  faulty.FailEveryCommit(true);
  // W1's timer, then the reloads: the clock moves 1 ms a round, so the backoffs (10, 20, 40 ms)
  // pass while four commits in a row fail.
  ASSERT_TRUE(Eventually([&] {
    clock_.Advance(std::chrono::milliseconds(1));
    process.timers.RunDue();
    return faulty.commits() >= before + 4;
  }));
  faulty.FailEveryCommit(false);
  DriveToEnd(faulty, process, "broken");
  EXPECT_EQ(Status(faulty, "broken"), model::ExecutionStatus::kSucceeded);
  auto history = History(faulty, "broken");
  ASSERT_EQ(history.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(history[i], expected[i]) << i;
  ASSERT_TRUE(Eventually([&] { return process.runtime.LiveExecutionsForTesting() == 0; }));
}

TEST_F(RuntimeRecoveryTest, AnAnswerWhoseCommitFailedIsAppliedAfterTheReload) {
  CreateMachine(*store_, kTask);
  store::FaultInjectingStore faulty(*store_, 2, store::FaultInjectingStore::Mode::kFail);
  Process process(faulty, clock_);
  StartStandard(faulty, process.runtime, "answer", kTask, R"({"x":1})");
  ASSERT_TRUE(Eventually([&] { return process.dispatcher.count() == 1; }));
  auto [task, done] = process.dispatcher.Take(0);
  model::Input result;
  result.kind = model::InputKind::kTaskSucceeded;
  result.stamp = task.stamp;
  result.payload = json::Json{{"Payload", {{"y", 2}}}, {"StatusCode", 200}};
  done(result);  // its commit (the second) fails
  ASSERT_TRUE(
      Eventually([&] { return Status(faulty, "answer") == model::ExecutionStatus::kSucceeded; }));
  EXPECT_EQ(faulty.GetExecution(kExecutionPrefix + std::string("answer"))->output,
            R"({"p":{"y":2}})");
  ASSERT_TRUE(Eventually([&] { return process.dispatcher.count() == 2; }));  // from the outbox
  auto again = process.dispatcher.Take(1);
  EXPECT_EQ(again.first.stamp, task.stamp);
  again.second(result);  // late and stale: nothing changes
  size_t succeeded = 0;
  for (const auto& event : History(faulty, "answer")) {
    succeeded += event.find("TaskSucceeded") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(succeeded, 1u);
}

TEST_F(RuntimeRecoveryTest, AHungCommitHoldsOnlyItsOwnExecution) {
  CreateMachine(*store_, kTwoWaits);
  store::FaultInjectingStore faulty(*store_, 1, store::FaultInjectingStore::Mode::kHang);
  Process process(faulty, clock_);
  StartStandard(faulty, process.runtime, "hung", kTwoWaits);
  // Its first commit must be the held one before the other starts: being live on its lane is not
  // enough, as another lane could commit first and be the one held.
  ASSERT_TRUE(Eventually([&] { return faulty.HungCount() == 1; }));
  StartStandard(faulty, process.runtime, "other", kTwoWaits);
  DriveToEnd(faulty, process, "other");  // the other execution runs to its end meanwhile
  EXPECT_EQ(Version(faulty, "hung"), 0);
  EXPECT_EQ(Status(faulty, "hung"), model::ExecutionStatus::kRunning);

  faulty.ReleaseHung();  // answered as a failure: the runtime reloads and starts it again
  DriveToEnd(faulty, process, "hung");
  EXPECT_EQ(Status(faulty, "hung"), model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(History(faulty, "hung").size(), 8u);
}

TEST_F(RuntimeRecoveryTest, StopDuringALostCommitStillAborts) {
  CreateMachine(*store_, kTwoWaits);
  store::FaultInjectingStore faulty(*store_, 2, store::FaultInjectingStore::Mode::kFail);
  Process process(faulty, clock_);
  StartStandard(faulty, process.runtime, "s", kTwoWaits);
  ASSERT_TRUE(Eventually([&] { return Version(faulty, "s") == 1; }));
  std::promise<std::optional<base::Timestamp>> stopped;
  process.runtime.Stop(kExecutionPrefix + std::string("s"), "E", "C",
                       [&stopped](std::optional<base::Timestamp> at) { stopped.set_value(at); });
  auto future = stopped.get_future();
  ASSERT_EQ(future.wait_for(kHangGuard), std::future_status::ready);
  EXPECT_TRUE(future.get().has_value());
  EXPECT_EQ(Status(faulty, "s"), model::ExecutionStatus::kAborted);
  auto history = History(faulty, "s");
  ASSERT_FALSE(history.empty());
  EXPECT_NE(history.back().find("ExecutionAborted"), std::string::npos);
}

}  // namespace
}  // namespace flowstate::runtime

namespace flowstate::runtime {
namespace {

// Redrive over the durable store: the redrive of a failed execution is one committed step;
// a new process (on the reopened database) continues from the terminal snapshot; the errors and
// the clientToken rule; a redrive whose commit fails is reported and changes nothing.
class RuntimeRedriveTest : public RuntimeRecoveryTest {
 protected:
  void Reopen() {
    store_.reset();
    store::SqliteOptions options;
    options.path = (dir_ / "flowstate.db").string();
    auto store = store::SqliteStore::Open(options);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(*store);
  }

  static base::Result<base::Timestamp> Redrive(Runtime& runtime, const std::string& name,
                                               const std::string& token = "") {
    std::promise<base::Result<base::Timestamp>> redriven;
    runtime.Redrive(kExecutionPrefix + name, token,
                    [&redriven](base::Result<base::Timestamp> at) { redriven.set_value(at); });
    auto future = redriven.get_future();
    if (future.wait_for(kHangGuard) != std::future_status::ready) {
      return base::Err(base::Status::Internal("no answer"));
    }
    return future.get();
  }

  static void Answer(RecordingDispatcher& dispatcher, size_t index, bool succeed) {
    auto [task, done] = dispatcher.Take(index);
    model::Input answer;
    answer.stamp = task.stamp;
    if (succeed) {
      answer.kind = model::InputKind::kTaskSucceeded;
      answer.payload = json::Json{{"Payload", {{"ok", true}}}, {"StatusCode", 200}};
    } else {
      answer.kind = model::InputKind::kTaskFailed;
      answer.error = "Boom";
      answer.cause = "first attempt";
    }
    done(answer);
  }
};

TEST_F(RuntimeRedriveTest, AFailedExecutionIsRedrivenAfterARestart) {
  CreateMachine(*store_, kTask);
  {
    Process first(*store_, clock_);
    StartStandard(*store_, first.runtime, "r", kTask, R"({"x":1})");
    ASSERT_TRUE(Eventually([&] { return first.dispatcher.count() == 1; }));
    Answer(first.dispatcher, 0, /*succeed=*/false);
    ASSERT_TRUE(
        Eventually([&] { return Status(*store_, "r") == model::ExecutionStatus::kFailed; }));
    EXPECT_EQ(Redrive(first.runtime, "missing").error().code(), base::StatusCode::kNotFound);
  }
  Reopen();
  const size_t events_before = History(*store_, "r").size();
  clock_.Advance(seconds(30));
  Process second(*store_, clock_);
  ASSERT_EQ(second.runtime.Recover().value_or(1), 0u);  // a FAILED execution is not resumed
  auto redriven = Redrive(second.runtime, "r", "token-1");
  ASSERT_TRUE(redriven.has_value()) << redriven.error().ToString();
  EXPECT_EQ(*redriven, clock_.Now());
  auto record = store_->GetExecution(kExecutionPrefix + std::string("r"));
  EXPECT_EQ(record->status, model::ExecutionStatus::kRunning);
  EXPECT_EQ(record->redrive_count, 1);
  EXPECT_EQ(record->redrive_date, clock_.Now());
  // Running again: a second redrive (another token) is refused; the same token is answered
  // with the first redrive.
  auto running = Redrive(second.runtime, "r", "token-2");
  ASSERT_FALSE(running.has_value());
  EXPECT_EQ(running.error().code(), base::StatusCode::kConflict);
  EXPECT_EQ(running.error().message(), "Execution is RUNNING and cannot be redriven");
  clock_.Advance(seconds(1));
  EXPECT_EQ(Redrive(second.runtime, "r", "token-1").value_or(base::Timestamp{}), *redriven);

  ASSERT_TRUE(Eventually([&] { return second.dispatcher.count() == 1; }));
  Answer(second.dispatcher, 0, /*succeed=*/true);
  ASSERT_TRUE(
      Eventually([&] { return Status(*store_, "r") == model::ExecutionStatus::kSucceeded; }));
  EXPECT_EQ(store_->GetExecution(kExecutionPrefix + std::string("r"))->output,
            R"({"p":{"ok":true}})");
  auto history = History(*store_, "r");
  ASSERT_GT(history.size(), events_before);
  EXPECT_NE(history[events_before].find("ExecutionRedriven {\"redriveCount\":1}"),
            std::string::npos)
      << history[events_before];
  auto done = Redrive(second.runtime, "r");
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().message(), "Execution is SUCCEEDED and cannot be redriven");
}

TEST_F(RuntimeRedriveTest, ARedriveWhoseCommitFailsChangesNothing) {
  using Mode = store::FaultInjectingStore::Mode;
  CreateMachine(*store_, kTask);
  {
    Process first(*store_, clock_);
    StartStandard(*store_, first.runtime, "f", kTask);
    ASSERT_TRUE(Eventually([&] { return first.dispatcher.count() == 1; }));
    Answer(first.dispatcher, 0, /*succeed=*/false);
    ASSERT_TRUE(
        Eventually([&] { return Status(*store_, "f") == model::ExecutionStatus::kFailed; }));
  }
  const int64_t version = Version(*store_, "f");
  store::FaultInjectingStore faulty(*store_, 1, Mode::kFail);
  Process process(faulty, clock_);
  auto failed = Redrive(process.runtime, "f", "t");
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), base::StatusCode::kUnavailable);
  EXPECT_EQ(Status(*store_, "f"), model::ExecutionStatus::kFailed);
  EXPECT_EQ(Version(*store_, "f"), version);
  EXPECT_TRUE(Eventually([&] { return process.runtime.LiveExecutionsForTesting() == 0; }));
  // Asked again (same token), it is redriven.
  ASSERT_TRUE(Redrive(process.runtime, "f", "t").has_value());
  ASSERT_TRUE(Eventually([&] { return process.dispatcher.count() == 1; }));
}

// Two redrive requests at once (different clientTokens): the lane serializes them, so exactly
// one redrives; the other finds the execution running. The same token twice: one redrive, both
// answered with it.
TEST_F(RuntimeRedriveTest, ConcurrentRedrivesMakeOneRedrive) {
  CreateMachine(*store_, kTask);
  Process process(*store_, clock_);
  for (const char* name : {"c1", "c2"}) {
    StartStandard(*store_, process.runtime, name, kTask);
  }
  ASSERT_TRUE(Eventually([&] { return process.dispatcher.count() == 2; }));
  Answer(process.dispatcher, 0, /*succeed=*/false);
  Answer(process.dispatcher, 1, /*succeed=*/false);
  ASSERT_TRUE(Eventually([&] {
    return Status(*store_, "c1") == model::ExecutionStatus::kFailed &&
           Status(*store_, "c2") == model::ExecutionStatus::kFailed;
  }));
  for (const bool same_token : {false, true}) {
    const std::string name = same_token ? "c2" : "c1";
    std::vector<std::promise<base::Result<base::Timestamp>>> answers(2);
    for (size_t i = 0; i < answers.size(); ++i) {
      process.runtime.Redrive(
          kExecutionPrefix + name, same_token ? "same" : "token-" + std::to_string(i),
          [&answers, i](base::Result<base::Timestamp> at) { answers[i].set_value(std::move(at)); });
    }
    int redriven = 0;
    int refused = 0;
    for (auto& answer : answers) {
      auto future = answer.get_future();
      ASSERT_EQ(future.wait_for(kHangGuard), std::future_status::ready);
      auto result = future.get();
      if (result) {
        ++redriven;
      } else {
        EXPECT_EQ(result.error().code(), base::StatusCode::kConflict);
        ++refused;
      }
    }
    EXPECT_EQ(redriven, same_token ? 2 : 1) << name;
    EXPECT_EQ(refused, same_token ? 0 : 1) << name;
    EXPECT_EQ(store_->GetExecution(kExecutionPrefix + name)->redrive_count, 1) << name;
  }
}

constexpr const char* kCallback =
    R"({"StartAt":"T","States":{"T":{"Type":"Task",)"
    R"("Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","TimeoutSeconds":5,)"
    R"("Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},)"
    R"("Catch":[{"ErrorEquals":["States.Timeout"],"Next":"Again"}],"Next":"Again"},)"
    R"("Again":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",)"
    R"("Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},"End":true}}})";

// A late SendTaskSuccess on a token that timed out or was answered gets the same answer from a
// new process (on the reopened database) as from the one that issued it.
TEST_F(RuntimeRedriveTest, EndedTokensAnswerTheSameAfterARestart) {
  CreateMachine(*store_, kCallback);
  std::string timed_out;
  std::string answered;
  model::Input late;
  late.kind = model::InputKind::kTaskSucceeded;
  late.payload = json::Json::object();
  {
    Process first(*store_, clock_);
    StartStandard(*store_, first.runtime, "cb", kCallback);
    ASSERT_TRUE(Eventually([&] { return first.dispatcher.count() == 1; }));
    timed_out = first.dispatcher.Take(0).first.task_token;
    ASSERT_FALSE(timed_out.empty());
    clock_.Advance(seconds(6));
    ASSERT_TRUE(Eventually([&] {
      first.timers.RunDue();
      return first.dispatcher.count() == 2;
    }));
    answered = first.dispatcher.Take(1).first.task_token;
    ASSERT_EQ(first.runtime.AnswerTask(answered, late), TokenStatus::kPending);
    ASSERT_TRUE(
        Eventually([&] { return Status(*store_, "cb") == model::ExecutionStatus::kSucceeded; }));
    EXPECT_EQ(first.runtime.AnswerTask(timed_out, late), TokenStatus::kTimedOut);
    EXPECT_EQ(first.runtime.AnswerTask(answered, late), TokenStatus::kFinished);
  }
  Reopen();
  Process second(*store_, clock_);
  EXPECT_EQ(second.runtime.AnswerTask(timed_out, late), TokenStatus::kTimedOut);
  EXPECT_EQ(second.runtime.AnswerTask(answered, late), TokenStatus::kFinished);
  EXPECT_EQ(second.runtime.AnswerTask("Tforged", late), TokenStatus::kUnknown);
}

}  // namespace
}  // namespace flowstate::runtime

// The store contract (ARCHITECTURE.md §7): the same behavioural tests against every Store
// backend. Each test gets a fresh store (for SQLite, a fresh temporary directory).
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <stdlib.h>

#include "fault_injecting_store.h"
#include "json/json.h"
#include "store/memory/memory_store.h"
#include "store/sqlite/sqlite_store.h"

namespace flowstate::store {
namespace {

constexpr const char* kMachinePrefix = "arn:aws:states:us-east-1:123456789012:stateMachine:";

StateMachineRecord Machine(const std::string& name, const std::string& revision = "1") {
  StateMachineRecord record;
  record.name = name;
  record.arn = kMachinePrefix + name;
  record.definition = R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})";
  record.role_arn = "arn:aws:iam::123456789012:role/r";
  record.revision_id = "rev-" + name + "-" + revision;
  record.description = "d";
  record.creation_date = base::FromUnixMillis(1700000000000);
  record.update_date = record.creation_date;
  return record;
}

ExecutionRecord Execution(const std::string& machine, const std::string& name,
                          const std::string& input = "{}") {
  ExecutionRecord record;
  record.state_machine_arn = kMachinePrefix + machine;
  record.name = name;
  record.arn = "arn:aws:states:us-east-1:123456789012:execution:" + machine + ":" + name;
  record.revision_id = "rev-" + machine + "-1";
  record.input = input;
  record.start_date = base::FromUnixMillis(1700000000123);
  return record;
}

model::HistoryEvent Event(int64_t id) {
  model::HistoryEvent event;
  event.id = id;
  event.previous_event_id = id - 1;
  event.timestamp = base::FromUnixMillis(1700000000000 + id);
  event.type = "PassStateEntered";
  event.details_key = "stateEnteredEventDetails";
  event.details.MakeEmptyObject();
  event.details["name"] = "A" + std::to_string(id);
  event.details["input"] = R"({"n":)" + std::to_string(id) + "}";
  return event;
}

Transition Step(const std::string& arn, int64_t expected_version, int64_t first_event, int events) {
  Transition transition;
  transition.execution_arn = arn;
  transition.expected_version = expected_version;
  for (int i = 0; i < events; ++i) {
    transition.events.push_back(Event(first_event + i));
  }
  return transition;
}

base::Result<std::vector<CommitResult>> CommitBatch(Store& store, std::vector<Transition> batch) {
  std::promise<base::Result<std::vector<CommitResult>>> promise;
  auto future = promise.get_future();
  store.Commit(std::move(batch), [&promise](base::Result<std::vector<CommitResult>> results) {
    promise.set_value(std::move(results));
  });
  return future.get();
}

CommitResult CommitOne(Store& store, Transition transition) {
  std::vector<Transition> batch;
  batch.push_back(std::move(transition));
  auto results = CommitBatch(store, std::move(batch));
  EXPECT_TRUE(results.has_value());
  EXPECT_EQ(results.value_or(std::vector<CommitResult>{}).size(), 1u);
  return results && !results->empty() ? results->front() : CommitResult::kNotFound;
}

std::vector<int64_t> EventIds(const std::vector<model::HistoryEvent>& events) {
  std::vector<int64_t> ids;
  for (const auto& event : events) {
    ids.push_back(event.id);
  }
  return ids;
}

enum class Backend { kMemory, kSqlite };

std::string BackendName(const ::testing::TestParamInfo<Backend>& param) {
  return param.param == Backend::kMemory ? "Memory" : "Sqlite";
}

class StoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      std::string pattern = (std::filesystem::temp_directory_path() / "fs-store-XXXXXX").string();
      ASSERT_NE(mkdtemp(pattern.data()), nullptr);
      dir_ = pattern;
    }
    store_ = MakeStore();
    ASSERT_NE(store_, nullptr);
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) {
      std::filesystem::remove_all(dir_);
    }
  }

  std::unique_ptr<Store> MakeStore() {
    if (GetParam() == Backend::kMemory) {
      return std::make_unique<MemoryStore>();
    }
    SqliteOptions options;
    options.path = (dir_ / "flowstate.db").string();
    auto store = SqliteStore::Open(options);
    EXPECT_TRUE(store.has_value()) << store.error().ToString();
    return store ? std::move(*store) : nullptr;
  }

  Store& store() { return *store_; }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContractTest, StateMachineCrud) {
  ASSERT_TRUE(store().CreateStateMachine(Machine("m")).ok());
  EXPECT_TRUE(store().CreateStateMachine(Machine("m", "2")).IsAlreadyExists());

  auto got = store().GetStateMachine(Machine("m").arn);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ((*got)->name, "m");
  EXPECT_EQ((*got)->definition, Machine("m").definition);
  EXPECT_EQ((*got)->role_arn, Machine("m").role_arn);
  EXPECT_EQ((*got)->description, "d");
  EXPECT_EQ((*got)->creation_date, Machine("m").creation_date);
  EXPECT_EQ((*got)->revision_id, "rev-m-1");

  StateMachineRecord updated = Machine("m", "2");
  updated.definition = R"({"StartAt":"B","States":{"B":{"Type":"Succeed"}}})";
  updated.update_date = base::FromUnixMillis(1700000009999);
  ASSERT_TRUE(store().UpdateStateMachine(updated).ok());
  got = store().GetStateMachine(updated.arn);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ((*got)->definition, updated.definition);
  EXPECT_EQ((*got)->update_date, updated.update_date);

  // Both revisions stay readable: executions run the one they started with.
  auto old_revision = store().GetRevision("rev-m-1");
  ASSERT_TRUE(old_revision.has_value());
  EXPECT_EQ((*old_revision)->definition, Machine("m").definition);
  auto new_revision = store().GetRevision("rev-m-2");
  ASSERT_TRUE(new_revision.has_value());
  EXPECT_EQ((*new_revision)->definition, updated.definition);
  EXPECT_TRUE(store().GetRevision("nope").error().IsNotFound());

  EXPECT_TRUE(store().UpdateStateMachine(Machine("other")).IsNotFound());
  ASSERT_TRUE(store().DeleteStateMachine(updated.arn).ok());
  EXPECT_TRUE(store().GetStateMachine(updated.arn).error().IsNotFound());
  EXPECT_TRUE(store().DeleteStateMachine(updated.arn).IsNotFound());
  EXPECT_TRUE(store().GetRevision("rev-m-1").has_value());
  // The name is free again.
  EXPECT_TRUE(store().CreateStateMachine(Machine("m", "3")).ok());
}

TEST_P(StoreContractTest, ListStateMachinesByNameWithPages) {
  for (const char* name : {"delta", "alpha", "echo", "charlie", "bravo"}) {
    ASSERT_TRUE(store().CreateStateMachine(Machine(name)).ok());
  }
  std::vector<std::string> names;
  PageRequest page{2, ""};
  int pages = 0;
  do {
    auto result = store().ListStateMachines(page);
    ASSERT_TRUE(result.has_value());
    EXPECT_LE(result->items.size(), 2u);
    for (const auto& record : result->items) {
      names.push_back(record.name);
    }
    page.token = result->next_token;
    ++pages;
  } while (!page.token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "bravo", "charlie", "delta", "echo"}));
}

TEST_P(StoreContractTest, StartExecutionIsIdempotentWhileRunningWithSameInput) {
  auto first = store().StartExecution(Execution("m", "e", R"({"a":1})"));
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->created);

  auto repeat = store().StartExecution(Execution("m", "e", R"({"a":1})"));
  ASSERT_TRUE(repeat.has_value());
  EXPECT_FALSE(repeat->created);
  EXPECT_EQ(repeat->record.arn, first->record.arn);
  EXPECT_EQ(repeat->record.start_date, first->record.start_date);

  EXPECT_TRUE(store().StartExecution(Execution("m", "e", R"({"a":2})")).error().IsAlreadyExists());

  Transition close = Step(first->record.arn, 0, 1, 1);
  close.close = ExecutionClose{model::ExecutionStatus::kSucceeded, R"({"ok":true})", std::nullopt,
                               std::nullopt, base::FromUnixMillis(1700000001000)};
  ASSERT_EQ(CommitOne(store(), std::move(close)), CommitResult::kOk);
  // Once closed, even an identical start is a conflict.
  EXPECT_TRUE(store().StartExecution(Execution("m", "e", R"({"a":1})")).error().IsAlreadyExists());

  auto record = store().GetExecution(first->record.arn);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->status, model::ExecutionStatus::kSucceeded);
  EXPECT_EQ(record->output, R"({"ok":true})");
  EXPECT_EQ(record->stop_date, base::FromUnixMillis(1700000001000));
  EXPECT_EQ(record->input, R"({"a":1})");
  EXPECT_EQ(record->version, 1);
  EXPECT_TRUE(store().GetExecution("arn:missing").error().IsNotFound());
}

TEST_P(StoreContractTest, CommitChecksVersionsPerTransitionInOrder) {
  const std::string arn = Execution("m", "e").arn;
  ASSERT_TRUE(store().StartExecution(Execution("m", "e")).has_value());
  std::vector<Transition> batch;
  batch.push_back(Step(arn, 0, 1, 2));               // ok: version 0 -> 1
  batch.push_back(Step(arn, 0, 3, 1));               // stale: 0 is no longer current
  batch.push_back(Step(arn + "-missing", 0, 1, 1));  // no such execution
  batch.push_back(Step(arn, 1, 3, 1));               // ok: sees the first one's effect
  auto results = CommitBatch(store(), std::move(batch));
  ASSERT_TRUE(results.has_value());
  EXPECT_EQ(*results, (std::vector<CommitResult>{CommitResult::kOk, CommitResult::kVersionConflict,
                                                 CommitResult::kNotFound, CommitResult::kOk}));
  auto record = store().GetExecution(arn);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->version, 2);
  EXPECT_EQ(record->status, model::ExecutionStatus::kRunning);
  auto history = store().GetHistory(arn, PageRequest{100, ""}, false);
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(EventIds(history->items), (std::vector<int64_t>{1, 2, 3}));
}

TEST_P(StoreContractTest, HistoryPagesForwardAndReverse) {
  const std::string arn = Execution("m", "e").arn;
  ASSERT_TRUE(store().StartExecution(Execution("m", "e")).has_value());
  ASSERT_EQ(CommitOne(store(), Step(arn, 0, 1, 4)), CommitResult::kOk);
  ASSERT_EQ(CommitOne(store(), Step(arn, 1, 5, 3)), CommitResult::kOk);

  for (bool reverse : {false, true}) {
    std::vector<int64_t> ids;
    std::vector<size_t> sizes;
    PageRequest page{3, ""};
    do {
      auto result = store().GetHistory(arn, page, reverse);
      ASSERT_TRUE(result.has_value());
      sizes.push_back(result->items.size());
      for (const auto& event : result->items) {
        ids.push_back(event.id);
      }
      page.token = result->next_token;
    } while (!page.token.empty());
    EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 1}));
    if (reverse) {
      EXPECT_EQ(ids, (std::vector<int64_t>{7, 6, 5, 4, 3, 2, 1}));
    } else {
      EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
    }
  }

  auto first = store().GetHistory(arn, PageRequest{1, ""}, false);
  ASSERT_TRUE(first.has_value());
  const model::HistoryEvent& event = first->items.at(0);
  EXPECT_EQ(event.previous_event_id, 0);
  EXPECT_EQ(event.timestamp, base::FromUnixMillis(1700000000001));
  EXPECT_EQ(event.type, "PassStateEntered");
  EXPECT_EQ(event.details_key, "stateEnteredEventDetails");
  EXPECT_EQ(event.details.text(), R"({"name":"A1","input":"{\"n\":1}"})");

  auto exact = store().GetHistory(arn, PageRequest{7, ""}, false);
  ASSERT_TRUE(exact.has_value());
  EXPECT_EQ(exact->items.size(), 7u);
  EXPECT_TRUE(exact->next_token.empty());

  // A limit below 1 reads as 1 (no store may index an empty page).
  for (int limit : {0, -5}) {
    auto tiny = store().GetHistory(arn, PageRequest{limit, ""}, false);
    ASSERT_TRUE(tiny.has_value());
    EXPECT_EQ(tiny->items.size(), 1u);
    EXPECT_FALSE(tiny->next_token.empty());
    auto machines = store().ListStateMachines(PageRequest{limit, ""});
    ASSERT_TRUE(machines.has_value());
  }

  EXPECT_TRUE(
      store().GetHistory(arn, PageRequest{3, "garbage"}, false).error().IsInvalidArgument());
  EXPECT_TRUE(store().GetHistory("arn:missing", PageRequest{3, ""}, false).error().IsNotFound());
}

TEST_P(StoreContractTest, ListExecutionsNewestFirstWithStatusFilterAndPages) {
  std::vector<std::string> arns;
  for (int i = 0; i < 5; ++i) {
    auto started = store().StartExecution(Execution("m", "e" + std::to_string(i)));
    ASSERT_TRUE(started.has_value());
    arns.push_back(started->record.arn);
  }
  ASSERT_TRUE(store().StartExecution(Execution("other", "x")).has_value());
  for (int i : {1, 3}) {
    Transition close = Step(arns[static_cast<size_t>(i)], 0, 1, 1);
    close.close = ExecutionClose{model::ExecutionStatus::kFailed, std::nullopt, "E", "C",
                                 base::FromUnixMillis(1700000002000)};
    ASSERT_EQ(CommitOne(store(), std::move(close)), CommitResult::kOk);
  }

  auto list_all = [&](std::optional<model::ExecutionStatus> status) {
    std::vector<std::string> names;
    PageRequest page{2, ""};
    do {
      auto result = store().ListExecutions(
          ExecutionFilter{kMachinePrefix + std::string("m"), status, {}, {}, {}}, page);
      EXPECT_TRUE(result.has_value());
      if (!result) {
        break;
      }
      EXPECT_LE(result->items.size(), 2u);
      for (const auto& record : result->items) {
        names.push_back(record.name);
      }
      page.token = result->next_token;
    } while (!page.token.empty());
    return names;
  };
  EXPECT_EQ(list_all(std::nullopt), (std::vector<std::string>{"e4", "e3", "e2", "e1", "e0"}));
  EXPECT_EQ(list_all(model::ExecutionStatus::kRunning),
            (std::vector<std::string>{"e4", "e2", "e0"}));
  EXPECT_EQ(list_all(model::ExecutionStatus::kFailed), (std::vector<std::string>{"e3", "e1"}));

  auto failed = store().GetExecution(arns[3]);
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->error, "E");
  EXPECT_EQ(failed->cause, "C");
  EXPECT_FALSE(failed->output.has_value());

  auto running = store().RunningExecutions();
  ASSERT_TRUE(running.has_value());
  EXPECT_EQ(running->size(), 4u);  // e0, e2, e4 and the other machine's x

  auto none = store().ListExecutions(
      ExecutionFilter{kMachinePrefix + std::string("none"), {}, {}, {}, {}}, PageRequest{10, ""});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->items.empty());
  EXPECT_TRUE(
      store()
          .ListExecutions(ExecutionFilter{kMachinePrefix + std::string("m"), {}, {}, {}, {}},
                          PageRequest{2, "x"})
          .error()
          .IsInvalidArgument());
}

TEST_P(StoreContractTest, ConcurrentCommitsAreEachAppliedOnce) {
  constexpr int kThreads = 4;
  constexpr int kSteps = 50;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(store().StartExecution(Execution("m", "e" + std::to_string(t))).has_value());
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      const std::string arn = Execution("m", "e" + std::to_string(t)).arn;
      for (int step = 0; step < kSteps; ++step) {
        EXPECT_EQ(CommitOne(store(), Step(arn, step, step + 1, 1)), CommitResult::kOk);
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (int t = 0; t < kThreads; ++t) {
    const std::string arn = Execution("m", "e" + std::to_string(t)).arn;
    auto record = store().GetExecution(arn);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->version, kSteps);
    auto history = store().GetHistory(arn, PageRequest{1000, ""}, false);
    ASSERT_TRUE(history.has_value());
    EXPECT_EQ(history->items.size(), static_cast<size_t>(kSteps));
  }
}

TEST_P(StoreContractTest, InjectedCommitFailureIsSeenAndLeavesNothing) {
  const std::string arn = Execution("m", "e").arn;
  ASSERT_TRUE(store().StartExecution(Execution("m", "e")).has_value());
  FaultInjectingStore faulty(store(), 2, FaultInjectingStore::Mode::kFail);
  ASSERT_EQ(CommitOne(faulty, Step(arn, 0, 1, 2)), CommitResult::kOk);

  std::vector<Transition> batch;
  batch.push_back(Step(arn, 1, 3, 2));
  auto failed = CommitBatch(faulty, std::move(batch));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), base::StatusCode::kIoError);

  auto record = faulty.GetExecution(arn);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->version, 1);
  auto history = faulty.GetHistory(arn, PageRequest{100, ""}, false);
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(EventIds(history->items), (std::vector<int64_t>{1, 2}));

  // The caller retries the same step from the reloaded version; it applies once.
  EXPECT_EQ(CommitOne(faulty, Step(arn, record->version, 3, 2)), CommitResult::kOk);
  history = faulty.GetHistory(arn, PageRequest{100, ""}, false);
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(EventIds(history->items), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_P(StoreContractTest, UnknownCommitOutcomeIsResolvedByReloading) {
  const std::string arn = Execution("m", "e").arn;
  ASSERT_TRUE(store().StartExecution(Execution("m", "e")).has_value());
  FaultInjectingStore faulty(store(), 1, FaultInjectingStore::Mode::kUnknownOutcome);
  std::vector<Transition> batch;
  batch.push_back(Step(arn, 0, 1, 3));
  auto outcome = CommitBatch(faulty, std::move(batch));
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code(), base::StatusCode::kUnavailable);

  // Whatever happened, it happened whole: the version and the history agree.
  auto record = faulty.GetExecution(arn);
  ASSERT_TRUE(record.has_value());
  auto history = faulty.GetHistory(arn, PageRequest{100, ""}, false);
  ASSERT_TRUE(history.has_value());
  if (record->version == 1) {
    EXPECT_EQ(EventIds(history->items), (std::vector<int64_t>{1, 2, 3}));
  } else {
    EXPECT_EQ(record->version, 0);
    EXPECT_TRUE(history->items.empty());
  }
  // A blind retry of the same step is refused, not applied twice.
  EXPECT_EQ(CommitOne(faulty, Step(arn, 0, 1, 3)), CommitResult::kVersionConflict);
}

TEST_P(StoreContractTest, HungCommitBlocksNothingElseAndAppliesNothing) {
  const std::string arn = Execution("m", "e").arn;
  const std::string other = Execution("m", "f").arn;
  ASSERT_TRUE(store().StartExecution(Execution("m", "e")).has_value());
  ASSERT_TRUE(store().StartExecution(Execution("m", "f")).has_value());
  FaultInjectingStore faulty(store(), 1, FaultInjectingStore::Mode::kHang);
  std::promise<base::Result<std::vector<CommitResult>>> hung;
  auto hung_future = hung.get_future();
  std::vector<Transition> batch;
  batch.push_back(Step(arn, 0, 1, 1));
  faulty.Commit(std::move(batch), [&hung](base::Result<std::vector<CommitResult>> results) {
    hung.set_value(std::move(results));
  });
  EXPECT_EQ(hung_future.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);

  // Other executions keep committing and reads keep answering meanwhile.
  EXPECT_EQ(CommitOne(faulty, Step(other, 0, 1, 1)), CommitResult::kOk);
  EXPECT_EQ(faulty.GetExecution(arn)->version, 0);

  faulty.ReleaseHung();
  auto outcome = hung_future.get();
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code(), base::StatusCode::kUnavailable);
  EXPECT_EQ(faulty.GetExecution(arn)->version, 0);
  EXPECT_TRUE(faulty.GetHistory(arn, PageRequest{10, ""}, false)->items.empty());
}

std::vector<uint64_t> TimerStamps(const ExecutionState& state) {
  std::vector<uint64_t> stamps;
  for (const auto& timer : state.timers) {
    stamps.push_back(timer.stamp);
  }
  return stamps;
}

std::vector<uint64_t> OutboxStamps(const ExecutionState& state) {
  std::vector<uint64_t> stamps;
  for (const auto& item : state.outbox) {
    stamps.push_back(item.stamp);
  }
  return stamps;
}

base::Result<StartResult> StartAsync(Store& store, const ExecutionRecord& record) {
  std::promise<base::Result<StartResult>> promise;
  auto future = promise.get_future();
  store.StartExecutionAsync(record, [&promise](base::Result<StartResult> result) {
    promise.set_value(std::move(result));
  });
  return future.get();
}

TEST_P(StoreContractTest, AsyncStartAppliesTheSameIdempotencyRules) {
  auto first = StartAsync(store(), Execution("m", "a", R"({"x":1})"));
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->created);
  auto repeat = StartAsync(store(), Execution("m", "a", R"({"x":1})"));
  ASSERT_TRUE(repeat.has_value());
  EXPECT_FALSE(repeat->created);
  EXPECT_EQ(repeat->record.input, R"({"x":1})");
  auto other_input = StartAsync(store(), Execution("m", "a", R"({"x":2})"));
  ASSERT_FALSE(other_input.has_value());
  EXPECT_EQ(other_input.error().code(), base::StatusCode::kAlreadyExists);
  EXPECT_TRUE(store().GetExecution(Execution("m", "a").arn).has_value());
}

TEST_P(StoreContractTest, TimersAndOutboxLiveFromTheirStepToTheStepAnsweringThem) {
  const std::string arn = Execution("m", "e").arn;
  ASSERT_TRUE(store().StartExecution(Execution("m", "e")).has_value());
  auto fresh = store().LoadExecutionState(arn);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->snapshot, std::nullopt);
  EXPECT_TRUE(fresh->timers.empty());
  EXPECT_TRUE(fresh->outbox.empty());

  Transition first = Step(arn, 0, 1, 2);
  first.snapshot = "s1";
  const uint64_t big_stamp = (uint64_t{1} << 63) | 7;  // every bit of a stamp survives
  first.timers = {TimerRow{big_stamp, base::FromUnixMillis(1700000005000)},
                  TimerRow{11, base::FromUnixMillis(1700000001000)}};
  first.outbox = {OutboxRow{12, "lambda", R"({"f":"x"})"}, OutboxRow{13, "lambda", "{}"}};
  ASSERT_EQ(CommitOne(store(), std::move(first)), CommitResult::kOk);
  auto state = store().LoadExecutionState(arn);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->record.version, 1);
  EXPECT_EQ(state->snapshot, "s1");
  EXPECT_EQ(TimerStamps(*state), (std::vector<uint64_t>{11, big_stamp}));  // by fire_at
  EXPECT_EQ(state->timers[0].fire_at, base::FromUnixMillis(1700000001000));
  EXPECT_EQ(OutboxStamps(*state), (std::vector<uint64_t>{12, 13}));
  EXPECT_EQ(state->outbox[0].kind, "lambda");
  EXPECT_EQ(state->outbox[0].payload, R"({"f":"x"})");

  auto due =
      store().TimersDue(base::FromUnixMillis(1700000001000), base::FromUnixMillis(1700000005000));
  ASSERT_TRUE(due.has_value());
  ASSERT_EQ(due->size(), 1u);  // (after, until]: the timer at `after` is not included
  EXPECT_EQ(due->front().execution_arn, arn);
  EXPECT_EQ(due->front().stamp, big_stamp);
  EXPECT_EQ(store().TimersDue(base::FromUnixMillis(0), base::FromUnixMillis(1700000009000))->size(),
            2u);

  // A step answering a timer and a task deletes just those rows and may add new ones.
  Transition second = Step(arn, 1, 3, 1);
  second.answered = {11, 12};
  second.timers = {TimerRow{14, base::FromUnixMillis(1700000002000)}};
  ASSERT_EQ(CommitOne(store(), std::move(second)), CommitResult::kOk);
  state = store().LoadExecutionState(arn);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->snapshot, "s1");  // no snapshot in the step: the last one stays
  EXPECT_EQ(TimerStamps(*state), (std::vector<uint64_t>{14, big_stamp}));
  EXPECT_EQ(OutboxStamps(*state), (std::vector<uint64_t>{13}));

  // A rejected step changes no row.
  Transition stale = Step(arn, 0, 4, 1);
  stale.answered = {14, 13};
  ASSERT_EQ(CommitOne(store(), std::move(stale)), CommitResult::kVersionConflict);
  state = store().LoadExecutionState(arn);
  EXPECT_EQ(TimerStamps(*state), (std::vector<uint64_t>{14, big_stamp}));
  EXPECT_EQ(OutboxStamps(*state), (std::vector<uint64_t>{13}));

  // The step that ends the execution leaves nothing to fire or dispatch.
  Transition last = Step(arn, 2, 4, 1);
  last.close = ExecutionClose{model::ExecutionStatus::kSucceeded, "{}", std::nullopt, std::nullopt,
                              base::FromUnixMillis(1700000009000)};
  ASSERT_EQ(CommitOne(store(), std::move(last)), CommitResult::kOk);
  state = store().LoadExecutionState(arn);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->record.status, model::ExecutionStatus::kSucceeded);
  EXPECT_TRUE(state->snapshot.has_value());  // the terminal one: a redrive continues from it
  EXPECT_TRUE(state->timers.empty());
  EXPECT_TRUE(state->outbox.empty());
  EXPECT_TRUE(store().LoadExecutionState("arn:missing").error().IsNotFound());
  EXPECT_TRUE(
      store().TimersDue(base::FromUnixMillis(0), base::FromUnixMillis(1800000000000))->empty());
}

// RedriveExecution: a closed execution keeps its terminal snapshot; the redrive reopens it
// (RUNNING, closing fields cleared, redriveCount/redriveDate, its clientToken remembered) in the
// same transition as its step, which may close it again.
TEST_P(StoreContractTest, RedriveReopensAClosedExecutionInItsTransition) {
  const std::string arn = store().StartExecution(Execution("m", "r"))->record.arn;
  Transition fail = Step(arn, 0, 1, 1);
  fail.snapshot = "terminal";
  fail.close = ExecutionClose{model::ExecutionStatus::kFailed, std::nullopt, "E", "C",
                              base::FromUnixMillis(1700000002000)};
  ASSERT_EQ(CommitOne(store(), std::move(fail)), CommitResult::kOk);
  auto state = store().LoadExecutionState(arn);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->snapshot, "terminal");
  EXPECT_TRUE(state->record.has_snapshot);
  EXPECT_EQ(state->record.redrive_count, 0);

  Transition redrive = Step(arn, 1, 2, 2);
  redrive.reopen = ExecutionReopen{1, base::FromUnixMillis(1700000003000), "token-1"};
  redrive.snapshot = "redriven";
  ASSERT_EQ(CommitOne(store(), std::move(redrive)), CommitResult::kOk);
  auto record = store().GetExecution(arn);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->status, model::ExecutionStatus::kRunning);
  EXPECT_EQ(record->error, std::nullopt);
  EXPECT_EQ(record->stop_date, std::nullopt);
  EXPECT_EQ(record->redrive_count, 1);
  EXPECT_EQ(record->redrive_date, base::FromUnixMillis(1700000003000));
  ASSERT_EQ(record->redrive_tokens.size(), 1u);
  EXPECT_EQ(record->redrive_tokens[0].token, "token-1");

  // A second redrive that fails again in its own step: reopened and closed in one transition.
  Transition stale = Step(arn, 1, 4, 1);
  stale.reopen = ExecutionReopen{2, base::FromUnixMillis(1700000004000), "token-2"};
  ASSERT_EQ(CommitOne(store(), std::move(stale)), CommitResult::kVersionConflict);
  Transition again = Step(arn, 2, 4, 2);
  again.reopen = ExecutionReopen{2, base::FromUnixMillis(1700000004000), "token-2"};
  again.close = ExecutionClose{model::ExecutionStatus::kFailed, std::nullopt, "E2", std::nullopt,
                               base::FromUnixMillis(1700000005000)};
  ASSERT_EQ(CommitOne(store(), std::move(again)), CommitResult::kOk);
  record = store().GetExecution(arn);
  EXPECT_EQ(record->status, model::ExecutionStatus::kFailed);
  EXPECT_EQ(record->error, "E2");
  EXPECT_EQ(record->redrive_count, 2);
  EXPECT_EQ(record->redrive_tokens.size(), 2u);
  EXPECT_EQ(store().LoadExecutionState(arn)->snapshot, "redriven");

  // redriveFilter, and version/alias filters.
  ExecutionRecord versioned = Execution("m", "v");
  versioned.state_machine_version_arn = kMachinePrefix + std::string("m:3");
  versioned.state_machine_alias_arn = kMachinePrefix + std::string("m:prod");
  ASSERT_TRUE(store().StartExecution(versioned).has_value());
  auto names = [&](ExecutionFilter filter) {
    filter.state_machine_arn = kMachinePrefix + std::string("m");
    std::vector<std::string> out;
    auto page = store().ListExecutions(filter, PageRequest{10, ""});
    EXPECT_TRUE(page.has_value());
    for (const auto& item : page->items) out.push_back(item.name);
    return out;
  };
  ExecutionFilter redriven;
  redriven.redriven = true;
  EXPECT_EQ(names(redriven), (std::vector<std::string>{"r"}));
  redriven.redriven = false;
  EXPECT_EQ(names(redriven), (std::vector<std::string>{"v"}));
  ExecutionFilter by_version;
  by_version.version_arn = versioned.state_machine_version_arn;
  EXPECT_EQ(names(by_version), (std::vector<std::string>{"v"}));
  ExecutionFilter by_alias;
  by_alias.alias_arn = kMachinePrefix + std::string("m:other");
  EXPECT_TRUE(names(by_alias).empty());
  EXPECT_EQ(store().GetExecution(versioned.arn)->state_machine_alias_arn,
            versioned.state_machine_alias_arn);
}

// Task tokens a step stopped waiting on are remembered with how they ended.
TEST_P(StoreContractTest, EndedTaskTokensAreRemembered) {
  const std::string arn = store().StartExecution(Execution("m", "t"))->record.arn;
  Transition step = Step(arn, 0, 1, 1);
  step.ended_tokens = {EndedToken{"Tdone", false}, EndedToken{"Tlate", true}};
  ASSERT_EQ(CommitOne(store(), std::move(step)), CommitResult::kOk);
  EXPECT_EQ(*store().LookupEndedToken("Tdone"), EndedTokenStatus::kFinished);
  EXPECT_EQ(*store().LookupEndedToken("Tlate"), EndedTokenStatus::kTimedOut);
  EXPECT_EQ(*store().LookupEndedToken("Tnever"), EndedTokenStatus::kUnknown);
}

TEST_P(StoreContractTest, CatalogEntriesByKindAndKeyWithPrefixPages) {
  const std::string prefix = std::string(kMachinePrefix) + "m:";
  EXPECT_TRUE(store().CreateCatalogEntry(kVersionCatalog, prefix + "0000000002", "{\"n\":2}").ok());
  EXPECT_TRUE(store().CreateCatalogEntry(kVersionCatalog, prefix + "0000000001", "{\"n\":1}").ok());
  EXPECT_TRUE(store().CreateCatalogEntry(kVersionCatalog, prefix + "0000000003", "{}").ok());
  // Another state machine whose name starts the same, and another kind with the same key.
  EXPECT_TRUE(store()
                  .CreateCatalogEntry(kVersionCatalog,
                                      std::string(kMachinePrefix) + "m-other:0000000001", "{}")
                  .ok());
  EXPECT_TRUE(store().CreateCatalogEntry(kAliasCatalog, prefix + "0000000001", "{}").ok());
  EXPECT_TRUE(
      store().CreateCatalogEntry(kVersionCatalog, prefix + "0000000001", "{}").IsAlreadyExists());
  EXPECT_EQ(store().GetCatalogEntry(kVersionCatalog, prefix + "0000000001").value_or(""),
            "{\"n\":1}");
  EXPECT_TRUE(store().PutCatalogEntry(kVersionCatalog, prefix + "0000000001", "{\"n\":9}").ok());
  EXPECT_EQ(store().GetCatalogEntry(kVersionCatalog, prefix + "0000000001").value_or(""),
            "{\"n\":9}");

  std::vector<std::string> keys;
  PageRequest page{2, ""};
  while (true) {
    auto listed = store().ListCatalogEntries(kVersionCatalog, prefix, page);
    ASSERT_TRUE(listed.has_value());
    EXPECT_LE(listed->items.size(), 2u);
    for (const auto& entry : listed->items) {
      keys.push_back(entry.key);
    }
    if (listed->next_token.empty()) {
      break;
    }
    page.token = listed->next_token;
  }
  EXPECT_EQ(keys, (std::vector<std::string>{prefix + "0000000001", prefix + "0000000002",
                                            prefix + "0000000003"}));
  // A key equal to the prefix itself is listed too.
  EXPECT_TRUE(store().PutCatalogEntry(kActivityCatalog, "arn:a", "{}").ok());
  EXPECT_EQ(store().ListCatalogEntries(kActivityCatalog, "arn:a", {10, ""})->items.size(), 1u);

  EXPECT_TRUE(store().DeleteCatalogEntry(kVersionCatalog, prefix + "0000000002").ok());
  EXPECT_TRUE(store().DeleteCatalogEntry(kVersionCatalog, prefix + "0000000002").IsNotFound());
  EXPECT_FALSE(store().GetCatalogEntry(kVersionCatalog, prefix + "0000000002").has_value());
  EXPECT_EQ(store().ListCatalogEntries(kVersionCatalog, prefix, {10, ""})->items.size(), 2u);
  EXPECT_TRUE(store().ListCatalogEntries(kTagCatalog, "", {10, ""})->items.empty());

  if (GetParam() == Backend::kSqlite) {  // durable: the catalog survives a reopen
    store_.reset();
    store_ = MakeStore();
    ASSERT_NE(store_, nullptr);
    EXPECT_EQ(store().GetCatalogEntry(kVersionCatalog, prefix + "0000000001").value_or(""),
              "{\"n\":9}");
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite), BackendName);

}  // namespace
}  // namespace flowstate::store

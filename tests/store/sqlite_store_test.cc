// SqliteStore behaviour beyond the shared contract: durability across reopen, the process lock,
// all-or-nothing batches on SQL errors, snapshots, schema versioning, NORMAL mode.
#include "store/sqlite/sqlite_store.h"

#include <filesystem>
#include <future>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json/json.h"
#include "store/sqlite/schema.h"

namespace flowstate::store {
namespace {

constexpr const char* kMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";

ExecutionRecord Execution(const std::string& name) {
  ExecutionRecord record;
  record.state_machine_arn = kMachineArn;
  record.name = name;
  record.arn = "arn:aws:states:us-east-1:123456789012:execution:m:" + name;
  record.revision_id = "rev-1";
  record.input = R"({"x":1})";
  record.trace_header = "Root=1-abc";
  return record;
}

Transition Step(const std::string& arn, int64_t expected_version, std::vector<int64_t> ids) {
  Transition transition;
  transition.execution_arn = arn;
  transition.expected_version = expected_version;
  for (int64_t id : ids) {
    model::HistoryEvent event;
    event.id = id;
    event.previous_event_id = id - 1;
    event.type = "WaitStateEntered";
    event.details_key = "stateEnteredEventDetails";
    event.details.MakeEmptyObject();
    event.details["name"] = "W";
    transition.events.push_back(std::move(event));
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

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "fs-sqlite-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    options_.path = (dir_ / "flowstate.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<SqliteStore> Open() {
    auto store = SqliteStore::Open(options_);
    EXPECT_TRUE(store.has_value()) << store.error().ToString();
    return store ? std::move(*store) : nullptr;
  }

  std::filesystem::path dir_;
  SqliteOptions options_;
};

TEST_F(SqliteStoreTest, EverythingSurvivesCloseAndReopen) {
  const std::string arn = Execution("e").arn;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    StateMachineRecord machine;
    machine.arn = kMachineArn;
    machine.name = "m";
    machine.definition = "{}";
    machine.revision_id = "rev-1";
    machine.type = model::WorkflowType::kExpress;
    machine.logging_configuration = R"({"level":"OFF"})";
    ASSERT_TRUE(store->CreateStateMachine(machine).ok());
    ASSERT_TRUE(store->StartExecution(Execution("e")).has_value());
    Transition step = Step(arn, 0, {1, 2});
    step.snapshot = std::string("{\"v\":1,\"bytes\":\"\\u0000\"}");
    step.timers = {TimerRow{5, base::FromUnixMillis(1700000001000)}};
    step.outbox = {OutboxRow{6, "lambda", "{}"}};
    ASSERT_EQ(CommitBatch(*store, {}).value_or(std::vector<CommitResult>{1}).size(), 0u);
    std::vector<Transition> batch;
    batch.push_back(std::move(step));
    ASSERT_TRUE(CommitBatch(*store, std::move(batch)).has_value());
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto machine = store->GetStateMachine(kMachineArn);
  ASSERT_TRUE(machine.has_value());
  EXPECT_EQ((*machine)->type, model::WorkflowType::kExpress);
  EXPECT_EQ((*machine)->logging_configuration, R"({"level":"OFF"})");
  auto record = store->GetExecution(arn);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->version, 1);
  EXPECT_EQ(record->trace_header, "Root=1-abc");
  EXPECT_EQ(record->input, R"({"x":1})");
  auto history = store->GetHistory(arn, PageRequest{10, ""}, false);
  ASSERT_TRUE(history.has_value());
  ASSERT_EQ(history->items.size(), 2u);
  EXPECT_EQ(history->items[1].details.ToJson()["name"], "W");
  auto snapshot = store->LoadSnapshot(arn);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(*snapshot, std::string("{\"v\":1,\"bytes\":\"\\u0000\"}"));
  auto running = store->RunningExecutions();
  ASSERT_TRUE(running.has_value());
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ(running->front().arn, arn);
  auto state = store->LoadExecutionState(arn);
  ASSERT_TRUE(state.has_value());
  ASSERT_EQ(state->timers.size(), 1u);
  EXPECT_EQ(state->timers[0].stamp, 5u);
  EXPECT_EQ(state->timers[0].fire_at, base::FromUnixMillis(1700000001000));
  ASSERT_EQ(state->outbox.size(), 1u);
  EXPECT_EQ(state->outbox[0].kind, "lambda");
}

TEST_F(SqliteStoreTest, EventsWithoutDetailsRoundTrip) {
  // An event with no details has an empty details key (a default base::InternedName): stored
  // as '' (the column is NOT NULL), read back with its names interned.
  const std::string arn = Execution("e").arn;
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->StartExecution(Execution("e")).has_value());
  Transition step = Step(arn, 0, {1});
  model::HistoryEvent bare;
  bare.id = 2;
  bare.previous_event_id = 1;
  bare.type = "ExecutionTimedOut";
  step.events.push_back(bare);
  std::vector<Transition> batch;
  batch.push_back(std::move(step));
  ASSERT_TRUE(CommitBatch(*store, std::move(batch)).has_value());
  auto history = store->GetHistory(arn, PageRequest{10, ""}, false);
  ASSERT_TRUE(history.has_value());
  ASSERT_EQ(history->items.size(), 2u);
  EXPECT_EQ(history->items[0].type, "WaitStateEntered");
  EXPECT_EQ(history->items[0].details_key, "stateEnteredEventDetails");
  EXPECT_EQ(history->items[1].type, "ExecutionTimedOut");
  EXPECT_TRUE(history->items[1].details_key.empty());
  EXPECT_TRUE(history->items[1].details.is_null());
}

TEST_F(SqliteStoreTest, SnapshotIsKeptWhenATransitionCarriesNone) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const std::string arn = Execution("e").arn;
  ASSERT_TRUE(store->StartExecution(Execution("e")).has_value());
  EXPECT_EQ(store->LoadSnapshot(arn).value(), std::nullopt);
  Transition first = Step(arn, 0, {1});
  first.snapshot = "s1";
  std::vector<Transition> batch;
  batch.push_back(std::move(first));
  batch.push_back(Step(arn, 1, {2}));
  ASSERT_TRUE(CommitBatch(*store, std::move(batch)).has_value());
  EXPECT_EQ(store->LoadSnapshot(arn).value(), "s1");
  EXPECT_TRUE(store->LoadSnapshot("arn:missing").error().IsNotFound());
}

TEST_F(SqliteStoreTest, ASecondOpenOfTheSameDatabaseIsRefused) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto second = SqliteStore::Open(options_);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), base::StatusCode::kUnavailable);

  // Another process is refused too.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto other = SqliteStore::Open(options_);
    _exit(!other.has_value() && other.error().code() == base::StatusCode::kUnavailable ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  store.reset();
  EXPECT_NE(Open(), nullptr);  // the lock went with the store
}

TEST_F(SqliteStoreTest, ABatchFailingMidwayLeavesNothingBehind) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const std::string a = Execution("a").arn;
  const std::string b = Execution("b").arn;
  ASSERT_TRUE(store->StartExecution(Execution("a")).has_value());
  ASSERT_TRUE(store->StartExecution(Execution("b")).has_value());
  std::vector<Transition> batch;
  batch.push_back(Step(a, 0, {1, 2}));
  batch.push_back(Step(b, 0, {1, 1}));  // duplicate event id: the INSERT fails
  auto failed = CommitBatch(*store, std::move(batch));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), base::StatusCode::kIoError);
  for (const std::string& arn : {a, b}) {
    EXPECT_EQ(store->GetExecution(arn)->version, 0);
    EXPECT_TRUE(store->GetHistory(arn, PageRequest{10, ""}, false)->items.empty());
  }
  // Other writers of the same group are not affected, and the store keeps working.
  std::vector<Transition> retry;
  retry.push_back(Step(a, 0, {1, 2}));
  auto ok = CommitBatch(*store, std::move(retry));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->front(), CommitResult::kOk);
}

TEST_F(SqliteStoreTest, AFailingWriteDoesNotTakeItsGroupDown) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int kWrites = 20;
  constexpr int kBad = 10;
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(store->StartExecution(Execution("e" + std::to_string(i))).has_value());
  }
  // Queued back to back, so the writer usually takes them as one group (one transaction with
  // a savepoint each); the outcome must be the same however they are grouped.
  std::vector<std::promise<base::Result<std::vector<CommitResult>>>> outcomes(kWrites);
  for (int i = 0; i < kWrites; ++i) {
    const std::string arn = Execution("e" + std::to_string(i)).arn;
    std::vector<Transition> batch;
    batch.push_back(i == kBad ? Step(arn, 0, {1, 1}) : Step(arn, 0, {1, 2}));
    store->Commit(std::move(batch),
                  [&outcomes, i](base::Result<std::vector<CommitResult>> results) {
                    outcomes[static_cast<size_t>(i)].set_value(std::move(results));
                  });
  }
  for (int i = 0; i < kWrites; ++i) {
    auto results = outcomes[static_cast<size_t>(i)].get_future().get();
    const std::string arn = Execution("e" + std::to_string(i)).arn;
    if (i == kBad) {
      EXPECT_FALSE(results.has_value());
      EXPECT_EQ(store->GetExecution(arn)->version, 0);
      EXPECT_TRUE(store->GetHistory(arn, PageRequest{10, ""}, false)->items.empty());
    } else {
      ASSERT_TRUE(results.has_value()) << i;
      EXPECT_EQ(results->front(), CommitResult::kOk);
      EXPECT_EQ(store->GetExecution(arn)->version, 1);
      EXPECT_EQ(store->GetHistory(arn, PageRequest{10, ""}, false)->items.size(), 2u);
    }
  }
}

TEST_F(SqliteStoreTest, ACommitCallbackMayWriteToTheStore) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const std::string arn = Execution("parent").arn;
  ASSERT_TRUE(store->StartExecution(Execution("parent")).has_value());
  std::promise<bool> child_started;
  std::vector<Transition> batch;
  batch.push_back(Step(arn, 0, {1}));
  // The runtime starts child executions from commit callbacks: that must not deadlock.
  store->Commit(std::move(batch), [&](base::Result<std::vector<CommitResult>> results) {
    auto child = store->StartExecution(Execution("child"));
    child_started.set_value(results.has_value() && child.has_value() && child->created);
  });
  EXPECT_TRUE(child_started.get_future().get());
  EXPECT_TRUE(store->GetExecution(Execution("child").arn).has_value());
}

// A database written by a build with schema 1 (no timer/outbox tables) is migrated in place:
// its executions stay, and the new tables work.
TEST_F(SqliteStoreTest, AVersionOneDatabaseIsMigrated) {
  const std::string arn = Execution("e").arn;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->StartExecution(Execution("e")).has_value());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options_.path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE timer; DROP TABLE outbox; DROP TABLE catalog_entry; "
                         "DROP TABLE task_token_ended; "
                         "ALTER TABLE execution DROP COLUMN state_machine_version_arn; "
                         "ALTER TABLE execution DROP COLUMN state_machine_alias_arn; "
                         "ALTER TABLE execution DROP COLUMN redrive_count; "
                         "ALTER TABLE execution DROP COLUMN redrive_date; "
                         "ALTER TABLE execution DROP COLUMN redrive_tokens; "
                         "DELETE FROM schema_version WHERE version >= 2",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  auto store = Open();
  ASSERT_NE(store, nullptr);
  Transition step = Step(arn, 0, {1});
  step.timers = {TimerRow{3, base::FromUnixMillis(1700000001000)}};
  std::vector<Transition> batch;
  batch.push_back(std::move(step));
  auto results = CommitBatch(*store, std::move(batch));
  ASSERT_TRUE(results.has_value()) << results.error().ToString();
  EXPECT_EQ(results->front(), CommitResult::kOk);
  auto state = store->LoadExecutionState(arn);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->record.input, R"({"x":1})");
  EXPECT_EQ(state->timers.size(), 1u);
}

TEST_F(SqliteStoreTest, SchemaVersionIsRecordedAndANewerDatabaseIsRefused) {
  Open().reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options_.path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), sqlite::CurrentSchemaVersion());
  sqlite3_finalize(stmt);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_version VALUES (999)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  auto store = SqliteStore::Open(options_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), base::StatusCode::kCorruption);
}

TEST_F(SqliteStoreTest, NormalSynchronousModeWorks) {
  options_.synchronous = SqliteOptions::Synchronous::kNormal;
  options_.checkpoint_bytes = 4096;  // checkpoint after almost every commit
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const std::string arn = Execution("e").arn;
  ASSERT_TRUE(store->StartExecution(Execution("e")).has_value());
  for (int64_t version = 0; version < 20; ++version) {
    std::vector<Transition> batch;
    batch.push_back(Step(arn, version, {version + 1}));
    ASSERT_EQ(CommitBatch(*store, std::move(batch))->front(), CommitResult::kOk);
  }
  EXPECT_EQ(store->GetHistory(arn, PageRequest{100, ""}, true)->items.front().id, 20);
}

}  // namespace
}  // namespace flowstate::store

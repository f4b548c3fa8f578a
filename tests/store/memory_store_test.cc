#include "store/memory/memory_store.h"

#include <gtest/gtest.h>

#include "json/json.h"

namespace flowstate::store {
namespace {

StateMachineRecord Machine(const std::string& name) {
  StateMachineRecord record;
  record.name = name;
  record.arn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + name;
  record.definition = R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})";
  record.revision_id = "rev-" + name;
  return record;
}

ExecutionRecord Execution(const std::string& machine, const std::string& name,
                          const std::string& input = "{}") {
  ExecutionRecord record;
  record.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + machine;
  record.name = name;
  record.arn = "arn:aws:states:us-east-1:123456789012:execution:" + machine + ":" + name;
  record.input = input;
  return record;
}

model::HistoryEvent Event(int64_t id) {
  model::HistoryEvent event;
  event.id = id;
  event.previous_event_id = id - 1;
  event.type = "PassStateEntered";
  return event;
}

CommitResult CommitOne(MemoryStore& store, Transition transition) {
  std::vector<Transition> batch;
  batch.push_back(std::move(transition));
  CommitResult result = CommitResult::kNotFound;
  store.Commit(std::move(batch), [&](base::Result<std::vector<CommitResult>> results) {
    ASSERT_TRUE(results.has_value());
    ASSERT_EQ(results->size(), 1u);
    result = results->front();
  });
  return result;
}

TEST(MemoryStoreTest, StateMachineCrud) {
  MemoryStore store;
  ASSERT_TRUE(store.CreateStateMachine(Machine("b")).ok());
  ASSERT_TRUE(store.CreateStateMachine(Machine("a")).ok());
  EXPECT_TRUE(store.CreateStateMachine(Machine("a")).IsAlreadyExists());

  auto got = store.GetStateMachine(Machine("a").arn);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ((*got)->name, "a");

  StateMachineRecord updated = Machine("a");
  updated.revision_id = "rev-a2";
  updated.definition = "{}";
  ASSERT_TRUE(store.UpdateStateMachine(updated).ok());
  EXPECT_EQ((*store.GetStateMachine(updated.arn))->revision_id, "rev-a2");
  // The old revision stays readable for executions that run it.
  EXPECT_EQ((*store.GetRevision("rev-a"))->definition, Machine("a").definition);

  auto page = store.ListStateMachines({1, ""});
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].name, "a");
  auto next = store.ListStateMachines({1, page->next_token});
  ASSERT_EQ(next->items.size(), 1u);
  EXPECT_EQ(next->items[0].name, "b");
  EXPECT_TRUE(next->next_token.empty());

  ASSERT_TRUE(store.DeleteStateMachine(updated.arn).ok());
  EXPECT_FALSE(store.GetStateMachine(updated.arn).has_value());
  EXPECT_TRUE(store.DeleteStateMachine(updated.arn).IsNotFound());
}

TEST(MemoryStoreTest, ExecutionNameIdempotency) {
  MemoryStore store;
  auto first = store.StartExecution(Execution("m", "e", R"({"a":1})"));
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->created);

  auto repeat = store.StartExecution(Execution("m", "e", R"({"a":1})"));
  ASSERT_TRUE(repeat.has_value());
  EXPECT_FALSE(repeat->created);

  auto other_input = store.StartExecution(Execution("m", "e", R"({"a":2})"));
  ASSERT_FALSE(other_input.has_value());
  EXPECT_TRUE(other_input.error().IsAlreadyExists());

  Transition close;
  close.execution_arn = first->record.arn;
  close.expected_version = 0;
  close.close = ExecutionClose{model::ExecutionStatus::kSucceeded, "{}", {}, {}, {}};
  ASSERT_EQ(CommitOne(store, std::move(close)), CommitResult::kOk);
  // Once closed, even the same input is a conflict.
  EXPECT_FALSE(store.StartExecution(Execution("m", "e", R"({"a":1})")).has_value());
}

TEST(MemoryStoreTest, ListExecutionsNewestFirstWithFilterAndPages) {
  MemoryStore store;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store.StartExecution(Execution("m", "e" + std::to_string(i))).has_value());
  }
  ASSERT_TRUE(store.StartExecution(Execution("other", "x")).has_value());
  Transition close;
  close.execution_arn = Execution("m", "e3").arn;
  close.close = ExecutionClose{model::ExecutionStatus::kFailed, {}, "E", "C", {}};
  ASSERT_EQ(CommitOne(store, std::move(close)), CommitResult::kOk);

  ExecutionFilter filter{Execution("m", "e0").state_machine_arn, std::nullopt, {}, {}, {}};
  std::vector<std::string> names;
  PageRequest page{2, ""};
  do {
    auto result = store.ListExecutions(filter, page);
    ASSERT_TRUE(result.has_value());
    for (const auto& record : result->items) {
      names.push_back(record.name);
    }
    page.token = result->next_token;
  } while (!page.token.empty());
  EXPECT_EQ(names, (std::vector<std::string>{"e4", "e3", "e2", "e1", "e0"}));

  filter.status = model::ExecutionStatus::kRunning;
  auto running = store.ListExecutions(filter, {100, ""});
  ASSERT_EQ(running->items.size(), 4u);
  EXPECT_EQ(running->items[1].name, "e2");
  EXPECT_FALSE(store.ListExecutions(filter, {100, "garbage"}).has_value());
}

TEST(MemoryStoreTest, HistoryPagesForwardAndReverse) {
  MemoryStore store;
  const std::string arn = store.StartExecution(Execution("m", "e"))->record.arn;
  Transition step;
  step.execution_arn = arn;
  for (int64_t id = 1; id <= 5; ++id) {
    step.events.push_back(Event(id));
  }
  ASSERT_EQ(CommitOne(store, std::move(step)), CommitResult::kOk);

  auto first = store.GetHistory(arn, {2, ""}, false);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[1].id, 2);
  auto second = store.GetHistory(arn, {10, first->next_token}, false);
  ASSERT_EQ(second->items.size(), 3u);
  EXPECT_EQ(second->items[0].id, 3);
  EXPECT_TRUE(second->next_token.empty());

  auto reversed = store.GetHistory(arn, {3, ""}, true);
  ASSERT_EQ(reversed->items.size(), 3u);
  EXPECT_EQ(reversed->items[0].id, 5);
  auto rest = store.GetHistory(arn, {3, reversed->next_token}, true);
  ASSERT_EQ(rest->items.size(), 2u);
  EXPECT_EQ(rest->items[1].id, 1);
  EXPECT_FALSE(store.GetHistory("nope", {3, ""}, false).has_value());
}

TEST(MemoryStoreTest, CommitChecksVersion) {
  MemoryStore store;
  const std::string arn = store.StartExecution(Execution("m", "e"))->record.arn;
  Transition stale;
  stale.execution_arn = arn;
  stale.expected_version = 3;
  EXPECT_EQ(CommitOne(store, stale), CommitResult::kVersionConflict);
  Transition good;
  good.execution_arn = arn;
  EXPECT_EQ(CommitOne(store, good), CommitResult::kOk);
  EXPECT_EQ(store.GetExecution(arn)->version, 1);
  Transition missing;
  missing.execution_arn = "missing";
  EXPECT_EQ(CommitOne(store, missing), CommitResult::kNotFound);
}

}  // namespace
}  // namespace flowstate::store

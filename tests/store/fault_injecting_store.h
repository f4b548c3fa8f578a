// FaultInjectingStore wraps any Store and makes its Nth Commit fail (LevelDB's
// fault_injection_test): either before anything is written (kFail) or after the inner store
// committed (kUnknownOutcome, the "did it commit?" case a caller must survive by reloading),
// or holds it unanswered (kHang) until ReleaseHung(), which answers it with an error without
// applying it. Everything else passes through. Header-only test helper; thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

#include "store/store.h"

namespace flowstate::store {

class FaultInjectingStore final : public Store {
 public:
  enum class Mode { kFail, kUnknownOutcome, kHang };

  // `fail_at` counts Commit calls from 1; 0 never fails.
  FaultInjectingStore(Store& inner, int fail_at, Mode mode)
      : inner_(inner), fail_at_(fail_at), mode_(mode) {}

  base::Status CreateStateMachine(const StateMachineRecord& record) override {
    return inner_.CreateStateMachine(record);
  }
  base::Result<StateMachinePtr> GetStateMachine(std::string_view arn) override {
    return inner_.GetStateMachine(arn);
  }
  base::Status UpdateStateMachine(const StateMachineRecord& record) override {
    return inner_.UpdateStateMachine(record);
  }
  base::Status DeleteStateMachine(std::string_view arn) override {
    return inner_.DeleteStateMachine(arn);
  }
  base::Result<Page<StateMachineRecord>> ListStateMachines(const PageRequest& page) override {
    return inner_.ListStateMachines(page);
  }
  base::Result<StateMachinePtr> GetRevision(std::string_view revision_id) override {
    return inner_.GetRevision(revision_id);
  }
  base::Status CreateCatalogEntry(std::string_view kind, std::string_view key,
                                  std::string_view value) override {
    return inner_.CreateCatalogEntry(kind, key, value);
  }
  base::Status PutCatalogEntry(std::string_view kind, std::string_view key,
                               std::string_view value) override {
    return inner_.PutCatalogEntry(kind, key, value);
  }
  base::Result<std::string> GetCatalogEntry(std::string_view kind, std::string_view key) override {
    return inner_.GetCatalogEntry(kind, key);
  }
  base::Status DeleteCatalogEntry(std::string_view kind, std::string_view key) override {
    return inner_.DeleteCatalogEntry(kind, key);
  }
  base::Result<Page<CatalogEntry>> ListCatalogEntries(std::string_view kind,
                                                      std::string_view prefix,
                                                      const PageRequest& page) override {
    return inner_.ListCatalogEntries(kind, prefix, page);
  }
  base::Result<StartResult> StartExecution(const ExecutionRecord& record) override {
    return inner_.StartExecution(record);
  }
  base::Result<ExecutionRecord> GetExecution(std::string_view arn) override {
    return inner_.GetExecution(arn);
  }
  base::Result<Page<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter,
                                                     const PageRequest& page) override {
    return inner_.ListExecutions(filter, page);
  }
  base::Result<Page<model::HistoryEvent>> GetHistory(std::string_view execution_arn,
                                                     const PageRequest& page,
                                                     bool reverse) override {
    return inner_.GetHistory(execution_arn, page, reverse);
  }
  base::Result<std::vector<ExecutionRecord>> RunningExecutions() override {
    return inner_.RunningExecutions();
  }
  base::Result<ExecutionState> LoadExecutionState(std::string_view arn) override {
    return inner_.LoadExecutionState(arn);
  }
  base::Result<std::vector<DueTimer>> TimersDue(base::Timestamp after,
                                                base::Timestamp until) override {
    return inner_.TimersDue(after, until);
  }
  base::Result<EndedTokenStatus> LookupEndedToken(std::string_view token) override {
    return inner_.LookupEndedToken(token);
  }

  void Commit(std::vector<Transition> batch, CommitDone done) override {
    if (failing_) {  // FailEveryCommit
      ++commits_;
      done(base::Err(base::Status::IoError("injected persistent commit failure")));
      return;
    }
    if (++commits_ != fail_at_) {
      inner_.Commit(std::move(batch), std::move(done));
      return;
    }
    if (mode_ == Mode::kHang) {
      std::lock_guard lock(mu_);
      hung_.push_back(std::move(done));
      return;
    }
    if (mode_ == Mode::kFail) {
      done(base::Err(base::Status::IoError("injected commit failure")));
      return;
    }
    inner_.Commit(std::move(batch), [done = std::move(done)](auto) {
      done(base::Err(base::Status::Unavailable("injected unknown commit outcome")));
    });
  }

  // While on, every Commit fails (a full disk, a broken database).
  void FailEveryCommit(bool on) { failing_ = on; }
  // Commit calls so far.
  int commits() const { return commits_; }

  // Commits held so far (kHang): lets a test wait until the Nth commit has really been made.
  size_t HungCount() {
    std::lock_guard lock(mu_);
    return hung_.size();
  }

  // Answers every hung Commit with Unavailable (as a timed-out caller would conclude).
  void ReleaseHung() {
    std::vector<CommitDone> hung;
    {
      std::lock_guard lock(mu_);
      hung.swap(hung_);
    }
    for (auto& done : hung) {
      done(base::Err(base::Status::Unavailable("injected hung commit")));
    }
  }

 private:
  Store& inner_;
  const int fail_at_;
  const Mode mode_;
  std::atomic<int> commits_ = 0;
  std::atomic<bool> failing_ = false;
  std::mutex mu_;
  std::vector<CommitDone> hung_;
};

}  // namespace flowstate::store

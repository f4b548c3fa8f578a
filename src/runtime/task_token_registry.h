// TaskTokenRegistry knows every task token that an activity or `.waitForTaskToken` task is
// waiting on: the execution and task stamp it answers (SendTaskSuccess/Failure/Heartbeat route
// there), and, for a while after, how it ended, so a late SendTask* gets AWS's answer
// (TaskDoesNotExist, TaskTimedOut) and only a token never issued is InvalidToken
// (AWS-REFERENCE.md §3.4). Tokens themselves live in the execution snapshot (Frame::task_token),
// so a durable store that recovers snapshots can re-Register them. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace flowstate::runtime {

enum class TokenStatus {
  kUnknown,   // never issued (or forgotten): InvalidToken
  kPending,   // the execution waits on it
  kFinished,  // answered, aborted or its execution ended: TaskDoesNotExist
  kTimedOut,  // its TimeoutSeconds/HeartbeatSeconds passed: TaskTimedOut
};

struct TokenTarget {
  std::string execution_arn;
  uint64_t stamp = 0;
};

class TaskTokenRegistry {
 public:
  // Ended tokens remembered for late answers; the oldest are forgotten first.
  static constexpr size_t kRememberedEnded = 100000;

  TaskTokenRegistry() = default;
  TaskTokenRegistry(const TaskTokenRegistry&) = delete;
  TaskTokenRegistry& operator=(const TaskTokenRegistry&) = delete;

  // "T" + 256 bits from the operating system's secure random source, base64url without padding.
  static std::string NewToken();

  void Register(const std::string& token, TokenTarget target);
  // The token's status; when kPending, `*target` is where an answer goes. With `answer`, a
  // pending token becomes kFinished at once, so of two racing SendTaskSuccess calls exactly one
  // is accepted (a heartbeat passes answer=false).
  TokenStatus Lookup(const std::string& token, bool answer, TokenTarget* target);
  // The execution stopped waiting on `token`.
  void Close(const std::string& token, bool timed_out);
  // Every token of an execution that ended.
  void CloseExecution(const std::string& execution_arn);

  // The tokens `execution_arn` waits on now, sorted (the console's approval list).
  std::vector<std::string> PendingFor(const std::string& execution_arn) const;

  size_t PendingForTesting() const;

 private:
  void EndLocked(const std::string& token, TokenStatus status);

  mutable std::mutex mu_;
  std::unordered_map<std::string, TokenTarget> pending_;
  std::unordered_map<std::string, std::unordered_set<std::string>> by_execution_;
  std::unordered_map<std::string, TokenStatus> ended_;
  std::deque<std::string> ended_order_;
};

}  // namespace flowstate::runtime

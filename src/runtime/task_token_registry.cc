#include "runtime/task_token_registry.h"

#include <algorithm>
#include <array>
#include <utility>

#include <sys/random.h>

#include "base/base64.h"
#include "base/check.h"

namespace flowstate::runtime {
namespace {

constexpr size_t kTokenBytes = 32;
constexpr std::string_view kTokenPrefix = "T";

}  // namespace

std::string TaskTokenRegistry::NewToken() {
  std::array<char, kTokenBytes> bytes{};
  size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t got = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    FS_CHECK(got > 0);  // getrandom on Linux >= 3.17 only fails for bad arguments
    filled += static_cast<size_t>(got);
  }
  std::string encoded = base::Base64Encode(std::string_view(bytes.data(), bytes.size()));
  for (char& c : encoded) {
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  while (!encoded.empty() && encoded.back() == '=') {
    encoded.pop_back();
  }
  // A leading letter: a token starting with `-` would read as an option on a command line
  // (`aws stepfunctions send-task-success --task-token -x...` fails to parse).
  return std::string(kTokenPrefix) + encoded;
}

void TaskTokenRegistry::Register(const std::string& token, TokenTarget target) {
  std::lock_guard lock(mu_);
  by_execution_[target.execution_arn].insert(token);
  pending_[token] = std::move(target);
}

TokenStatus TaskTokenRegistry::Lookup(const std::string& token, bool answer, TokenTarget* target) {
  std::lock_guard lock(mu_);
  auto pending = pending_.find(token);
  if (pending != pending_.end()) {
    *target = pending->second;
    if (answer) {
      EndLocked(token, TokenStatus::kFinished);
    }
    return TokenStatus::kPending;
  }
  auto ended = ended_.find(token);
  return ended == ended_.end() ? TokenStatus::kUnknown : ended->second;
}

void TaskTokenRegistry::Close(const std::string& token, bool timed_out) {
  std::lock_guard lock(mu_);
  if (pending_.contains(token)) {
    EndLocked(token, timed_out ? TokenStatus::kTimedOut : TokenStatus::kFinished);
  }
}

std::vector<std::string> TaskTokenRegistry::PendingFor(const std::string& execution_arn) const {
  std::vector<std::string> tokens;
  {
    std::lock_guard lock(mu_);
    auto it = by_execution_.find(execution_arn);
    if (it == by_execution_.end()) {
      return tokens;
    }
    for (const std::string& token : it->second) {
      if (pending_.contains(token)) {
        tokens.push_back(token);
      }
    }
  }
  std::sort(tokens.begin(), tokens.end());
  return tokens;
}

void TaskTokenRegistry::CloseExecution(const std::string& execution_arn) {
  std::lock_guard lock(mu_);
  auto tokens = by_execution_.find(execution_arn);
  if (tokens == by_execution_.end()) {
    return;
  }
  const std::unordered_set<std::string> open = std::move(tokens->second);
  by_execution_.erase(tokens);
  for (const std::string& token : open) {
    EndLocked(token, TokenStatus::kFinished);
  }
}

void TaskTokenRegistry::EndLocked(const std::string& token, TokenStatus status) {
  auto pending = pending_.find(token);
  if (pending != pending_.end()) {
    auto tokens = by_execution_.find(pending->second.execution_arn);
    if (tokens != by_execution_.end()) {
      tokens->second.erase(token);
      if (tokens->second.empty()) {
        by_execution_.erase(tokens);
      }
    }
    pending_.erase(pending);
  }
  auto [it, inserted] = ended_.insert_or_assign(token, status);
  if (inserted) {
    ended_order_.push_back(token);
  }
  while (ended_order_.size() > kRememberedEnded) {
    ended_.erase(ended_order_.front());
    ended_order_.pop_front();
  }
}

size_t TaskTokenRegistry::PendingForTesting() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace flowstate::runtime

// Unit tests of RedriveExecution's eligibility rules (runtime/redrive_rules.h): each of AWS's
// reasons, and how long a clientToken is answered with its redrive.
#include "runtime/redrive_rules.h"

#include <chrono>

#include <gtest/gtest.h>

namespace flowstate::runtime {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const base::Timestamp kStart = base::FromUnixMillis(1700000000000);

store::ExecutionRecord Ended(model::ExecutionStatus status) {
  store::ExecutionRecord record;
  record.status = status;
  record.start_date = kStart;
  record.stop_date = kStart + hours(1);
  record.has_snapshot = true;
  return record;
}

TEST(RedriveRulesTest, UnsuccessfulEndsAreRedrivable) {
  for (auto status : {model::ExecutionStatus::kFailed, model::ExecutionStatus::kTimedOut,
                      model::ExecutionStatus::kAborted}) {
    EXPECT_EQ(RedriveBlocker(Ended(status), 10, true, kStart + hours(2)), std::nullopt);
  }
}

TEST(RedriveRulesTest, EachReasonAsAwsStatesIt) {
  const base::Timestamp now = kStart + hours(2);
  EXPECT_EQ(RedriveBlocker(Ended(model::ExecutionStatus::kRunning), 10, true, now),
            "Execution is RUNNING and cannot be redriven");
  EXPECT_EQ(RedriveBlocker(Ended(model::ExecutionStatus::kSucceeded), 10, true, now),
            "Execution is SUCCEEDED and cannot be redriven");
  EXPECT_EQ(RedriveBlocker(Ended(model::ExecutionStatus::kFailed), 10, false, now),
            "State machine is in DELETING status");
  store::ExecutionRecord old = Ended(model::ExecutionStatus::kFailed);
  old.has_snapshot = false;
  EXPECT_EQ(RedriveBlocker(old, 10, true, now),
            "Execution was started before the launch of RedriveExecution");
  EXPECT_EQ(RedriveBlocker(Ended(model::ExecutionStatus::kFailed), 24999, true, now),
            "Execution history event limit exceeded");
  EXPECT_EQ(RedriveBlocker(Ended(model::ExecutionStatus::kFailed), 24998, true, now), std::nullopt);
  EXPECT_EQ(RedriveBlocker(Ended(model::ExecutionStatus::kFailed), 10, true,
                           kStart + hours(1) + hours(24 * 14) + minutes(1)),
            "Execution redrivable period exceeded");
  store::ExecutionRecord long_running = Ended(model::ExecutionStatus::kFailed);
  long_running.stop_date = kStart + hours(24 * 364);
  EXPECT_EQ(RedriveBlocker(long_running, 10, true, kStart + hours(24 * 366)),
            "Execution has exceeded the max execution time");
}

TEST(RedriveRulesTest, AClientTokenIsAnsweredForFifteenMinutes) {
  store::ExecutionRecord record = Ended(model::ExecutionStatus::kFailed);
  const base::Timestamp redriven = kStart + hours(2);
  record.redrive_tokens = {{"a", redriven}};
  EXPECT_EQ(RepeatedRedrive(record, "a", redriven + minutes(15)), redriven);
  EXPECT_EQ(RepeatedRedrive(record, "a", redriven + minutes(16)), std::nullopt);
  EXPECT_EQ(RepeatedRedrive(record, "b", redriven), std::nullopt);
  EXPECT_EQ(RepeatedRedrive(record, "", redriven), std::nullopt);
}

}  // namespace
}  // namespace flowstate::runtime

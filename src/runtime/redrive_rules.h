// When RedriveExecution may continue an execution (AWS-REFERENCE.md §8.3): a Standard execution
// that ended FAILED, TIMED_OUT or ABORTED, at most 14 days ago, within the one-year limit, whose
// history has room left and whose terminal snapshot the store kept. The reasons are AWS's
// `redriveStatusReason` texts; the API reports them as ExecutionNotRedrivable and in
// DescribeExecution's redriveStatus.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.h"
#include "store/records.h"

namespace flowstate::runtime {

inline constexpr auto kRedrivablePeriod = std::chrono::hours(24 * 14);
inline constexpr auto kMaxExecutionTime = std::chrono::hours(24 * 365);
// AWS: a redrive needs fewer than 24,999 events in the history.
inline constexpr int64_t kRedriveMaxHistoryEvents = 24999;
// AWS answers a repeated clientToken with its redrive for 15 minutes.
inline constexpr auto kRedriveTokenLifetime = std::chrono::minutes(15);

// Why `record` cannot be redriven at `now`, or nullopt when it can. `last_event_id`: the id of
// its last history event; `machine_exists`: its state machine was not deleted (AWS refuses a
// redrive once the state machine is being deleted).
std::optional<std::string> RedriveBlocker(const store::ExecutionRecord& record,
                                          int64_t last_event_id, bool machine_exists,
                                          base::Timestamp now);

// The redrive an earlier request with `client_token` made (its date), if it is recent enough to
// be answered again.
std::optional<base::Timestamp> RepeatedRedrive(const store::ExecutionRecord& record,
                                               const std::string& client_token,
                                               base::Timestamp now);

}  // namespace flowstate::runtime

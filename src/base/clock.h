// Time for everything that must be testable without sleeping. Timestamp is UTC with millisecond
// precision, as AWS reports it. RealClock reads the system clock; ManualClock moves only when a
// test advances it. Both are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowstate::base {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

inline int64_t ToUnixMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromUnixMillis(int64_t millis) {
  return Timestamp(std::chrono::milliseconds(millis));
}

// `t` moved by `seconds`, which may be any number: durations come from user data (a Wait's
// SecondsPath, a Retry's backoff growing with each attempt), and milliseconds past 292 million
// years overflow. Saturates at 100 years either way, later than any execution lives.
Timestamp AddSeconds(Timestamp t, double seconds);

// "2019-03-26T20:14:13.192Z": the form of $$.Execution.StartTime and $$.State.EnteredTime.
std::string FormatIso8601(Timestamp t);

// Parses RFC 3339 / ISO-8601 date-times with a zone ("Z" or "+hh:mm"), optional fraction.
// Returns nullopt for anything else, including out-of-range fields.
std::optional<Timestamp> ParseIso8601(std::string_view text);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class RealClock final : public Clock {
 public:
  Timestamp Now() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_millis_(ToUnixMillis(start)) {}
  Timestamp Now() const override { return FromUnixMillis(now_millis_.load()); }
  void Advance(std::chrono::milliseconds delta) { now_millis_ += delta.count(); }
  void Set(Timestamp t) { now_millis_ = ToUnixMillis(t); }

 private:
  std::atomic<int64_t> now_millis_;
};

}  // namespace flowstate::base

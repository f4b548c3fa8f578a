// Eventually(predicate): polls until the predicate holds, or gives up after kHangGuard. A hang
// guard only, never a timing assertion: a correct runtime gets there in microseconds.
#pragma once

#include <chrono>
#include <thread>

namespace flowstate::runtime {

constexpr auto kHangGuard = std::chrono::seconds(20);

template <typename Predicate>
bool Eventually(Predicate predicate) {
  const auto give_up = std::chrono::steady_clock::now() + kHangGuard;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > give_up) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

}  // namespace flowstate::runtime

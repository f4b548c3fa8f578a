// Test-only: an Api over an in-memory store and a real runtime, with a manual clock, and a
// synchronous way to call it. Shared by the API test files.
#pragma once

#include <chrono>
#include <future>
#include <string>

#include <gtest/gtest.h>

#include "api/api.h"
#include "base/clock.h"
#include "json/json.h"
#include "runtime/lambda_task_dispatcher.h"
#include "runtime/runtime.h"
#include "runtime/timer_service.h"
#include "store/memory/memory_store.h"

namespace flowstate::api {

struct Reply {
  int status = 0;
  json::Json body;
  std::string type() const { return body.value("__type", ""); }
};

class ApiHarness : public ::testing::Test {
 protected:
  static constexpr auto kHangGuard = std::chrono::seconds(20);

  ApiHarness()
      : clock_(base::FromUnixMillis(1700000000123)),
        timers_(clock_),
        dispatcher_(nullptr),
        runtime_(runtime::RuntimeOptions{2, 3}, store_, clock_, dispatcher_, timers_),
        api_(ApiOptions{}, store_, runtime_, clock_) {}
  ~ApiHarness() override {
    timers_.Stop();
    runtime_.Shutdown();
  }

  // Sends `body` to the operation named by `target` (X-Amz-Target) and waits for the answer.
  Reply Raw(const std::string& target, const std::string& body) {
    std::promise<ApiResponse> promise;
    auto future = promise.get_future();
    api_.Handle(target, body,
                [&](ApiResponse response) { promise.set_value(std::move(response)); });
    EXPECT_EQ(future.wait_for(kHangGuard), std::future_status::ready);
    ApiResponse response = future.get();
    auto parsed = json::Parse(response.body);
    EXPECT_TRUE(parsed.has_value()) << response.body;
    return Reply{response.status, parsed ? *parsed : json::Json()};
  }

  Reply Call(const std::string& operation, const json::Json& body) {
    return Raw("AWSStepFunctions." + operation, json::Dump(body));
  }

  base::ManualClock clock_;
  store::MemoryStore store_;
  runtime::TimerService timers_;
  runtime::LambdaTaskDispatcher dispatcher_;
  runtime::Runtime runtime_;
  Api api_;
};

}  // namespace flowstate::api

#include <atomic>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "jsonata_test_util.h"

namespace flowstate::query::jsonata {
namespace {

using testing::Eval;

TEST(JsonataLimits, InfiniteRecursionIsAnError) {
  EXPECT_EQ(Eval("($f := function($n){ $n + $f($n) }; $f(1))"), "error:U1001");
}

TEST(JsonataLimits, DepthLimitFromOptions) {
  EvalOptions options;
  options.limits.max_depth = 302;
  auto factorial = [](int n) {
    return "($f := function($n){ $n = 0 ? 1 : $n * $f($n - 1) }; $f(" + std::to_string(n) + "))";
  };
  EXPECT_NE(Eval(factorial(99), "", options), "error:U1001");
  EXPECT_EQ(Eval(factorial(100), "", options), "error:U1001");
}

TEST(JsonataLimits, TailCallsRunInConstantDepth) {
  EvalOptions options;
  options.limits.max_depth = 100;
  EXPECT_EQ(Eval("($loop := function($n, $acc){ $n = 0 ? $acc : $loop($n - 1, $acc + 1) };"
                 " $loop(100000, 0))",
                 "", options),
            "100000");
}

TEST(JsonataLimits, TimeLimit) {
  EvalOptions options;
  options.limits.time_limit_ms = 50;
  options.limits.max_depth = 1000000;
  EXPECT_EQ(Eval("($f := function(){ $f() }; $f())", "", options), "error:U1001");
}

TEST(JsonataLimits, ConcurrentEvaluationOfOneExpression) {
  auto expr = Expression::Compile("$sum(items[v > 1].(v * 2))");
  ASSERT_TRUE(expr.has_value());
  Value input = FromJson(*json::Parse(R"({"items":[{"v":1},{"v":2},{"v":3}]})"));
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto r = expr->Evaluate(input);
        if (r && r->IsNumber() && r->AsNumber() == 10) good++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 2000);
}

}  // namespace
}  // namespace flowstate::query::jsonata

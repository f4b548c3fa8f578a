// Step Functions' JSONata functions: $partition, $range, $hash, $random, $uuid, $parse.
#include "query/jsonata_functions.h"

#include <regex>

#include <gtest/gtest.h>

#include "base/rng.h"
#include "json/json.h"
#include "query/jsonata/expression.h"

namespace flowstate::query {
namespace {

using json::Json;

class JsonataFunctionsTest : public ::testing::Test {
 protected:
  // The expression's value, or its error as "CODE: message".
  std::string Run(const char* expression) {
    auto compiled = jsonata::Expression::Compile(expression);
    EXPECT_TRUE(compiled.has_value()) << expression;
    jsonata::EvalOptions options;
    options.functions = &StepFunctionsFunctions();
    options.rng = &rng_;
    auto value = compiled->EvaluateJson(nullptr, options);
    if (!value) return value.error().code + ": " + value.error().message;
    return *value ? json::Dump(**value) : "undefined";
  }

  base::Rng rng_{7};
};

TEST_F(JsonataFunctionsTest, Partition) {
  EXPECT_EQ(Run("$partition([1, 2, 3, 4, 5], 2)"), "[[1,2],[3,4],[5]]");
  EXPECT_EQ(Run("$partition([], 3)"), "[]");
  EXPECT_EQ(Run("$partition([1], 0)"), "D3900: Invalid arguments in $partition");
  EXPECT_EQ(Run("$partition('x', 1)"), "D3900: Invalid arguments in $partition");
}

TEST_F(JsonataFunctionsTest, Range) {
  EXPECT_EQ(Run("$range(0, 10, 2)"), "[0,2,4,6,8,10]");
  EXPECT_EQ(Run("$range(5, 1, -2)"), "[5,3,1]");
  EXPECT_EQ(Run("$range(0, 1000, 1)"), "D3901: Invalid arguments in $range");
  EXPECT_EQ(Run("$range(1, 2)"), "D3901: $range takes 3 arguments");
}

TEST_F(JsonataFunctionsTest, Hash) {
  EXPECT_EQ(Run("$hash('input data', 'SHA-1')"), "\"aaff4a450a104cd177d28d18d74485e8cae074b7\"");
  EXPECT_EQ(Run("$hash('abc', 'MD5')"), "\"900150983cd24fb0d6963f7d28e17f72\"");
  EXPECT_EQ(Run("$hash('abc', 'SHA-3')"), "D3902: Invalid arguments in $hash");
}

TEST_F(JsonataFunctionsTest, RandomIsSeededLikeJava) {
  // java.util.Random(42).nextDouble()
  EXPECT_DOUBLE_EQ(SeededRandom(42), 0.7275636800328681);
  EXPECT_EQ(Run("$random(42) = $random(42)"), "true");
  EXPECT_EQ(Run("$random(1.5)"), "D3903: The seed of $random must be an integer");
  EXPECT_EQ(Run("($r := $random(); $r >= 0 and $r < 1)"), "true");
}

TEST_F(JsonataFunctionsTest, Uuid) {
  std::string uuid = Run("$uuid()");
  EXPECT_TRUE(std::regex_match(
      uuid, std::regex("\"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\"")))
      << uuid;
  EXPECT_NE(Run("$uuid()"), uuid);
}

TEST_F(JsonataFunctionsTest, Parse) {
  EXPECT_EQ(Run("$parse('{\"a\": [1, true]}')"), "{\"a\":[1,true]}");
  EXPECT_EQ(Run("$parse('[1,')").substr(0, 7), "D3905: ");
}

TEST_F(JsonataFunctionsTest, WithoutRngUuidFails) {
  auto compiled = jsonata::Expression::Compile("$uuid()");
  ASSERT_TRUE(compiled.has_value());
  jsonata::EvalOptions options;
  options.functions = &StepFunctionsFunctions();  // and no rng
  EXPECT_FALSE(compiled->EvaluateJson(nullptr, options).has_value());
}

}  // namespace
}  // namespace flowstate::query

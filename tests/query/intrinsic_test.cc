#include "query/intrinsic.h"

#include <gtest/gtest.h>

#include "base/rng.h"
#include "json/json.h"
#include "query/java_text.h"

namespace flowstate::query {
namespace {

using json::Json;

Json J(std::string_view text) { return *json::Parse(text); }

class IntrinsicTest : public ::testing::Test {
 protected:
  // Evaluates `call` against input_; returns compact JSON or "ERR:<error>|<cause>".
  std::string Eval(std::string_view call) {
    auto intrinsic = Intrinsic::Parse(call);
    EXPECT_TRUE(intrinsic.has_value()) << call << ": " << intrinsic.error().message();
    if (!intrinsic) {
      return "PARSE-ERROR";
    }
    EvalContext ctx{&input_, &context_, &variables_, &rng_};
    auto value = intrinsic->Evaluate(ctx, "f.$");
    if (!value) {
      return "ERR:" + value.error().error + "|" + value.error().cause;
    }
    return json::Dump(*value);
  }

  Json input_ = J(R"({"s":"a,b;;c","n":3,"arr":[1,2,2,"x",{"k":1},{"k":1}],"o":{"a":1},
                      "f":1.0,"big":1e20,"t":"Hi {}"})");
  Json context_ = J(R"({"Execution":{"Name":"ex-1"}})");
  Json variables_ = J(R"({"v":{"w":[5,6]}})");
  base::Rng rng_{42};
};

TEST_F(IntrinsicTest, Format) {
  EXPECT_EQ(Eval("States.Format('{} and {}', $.n, $.s)"), R"("3 and a,b;;c")");
  EXPECT_EQ(Eval("States.Format('x={}', $.f)"), R"("x=1.0")");
  EXPECT_EQ(Eval("States.Format('x={}', $.big)"), R"("x=1.0E20")");
  EXPECT_EQ(Eval("States.Format('{}', $.o)"), R"("{a=1}")");
  EXPECT_EQ(Eval("States.Format('{}', $.arr)"), R"("[1, 2, 2, x, {k=1}, {k=1}]")");
  EXPECT_EQ(Eval("States.Format('{}', null)"), R"("null")");
  EXPECT_EQ(Eval(R"(States.Format('a \{\} b {} it\'s \\', 1))"), R"("a {} b 1 it's \\")");
  EXPECT_EQ(Eval("States.Format($.t, 'you')"), R"("Hi you")");
  EXPECT_EQ(Eval(R"(States.Format('a\nb {}', 1))"), R"("a\\nb 1")");
  EXPECT_EQ(Eval("States.Format('{} {}', 1)"),
            "ERR:States.Runtime|Invalid arguments in States.Format");
  EXPECT_EQ(Eval("States.Format('{}', 1, 2)"),
            "ERR:States.Runtime|Invalid arguments in States.Format");
  EXPECT_EQ(Eval("States.Format('Hello {', 1)"),
            "ERR:States.Runtime|Invalid arguments in States.Format");
  EXPECT_EQ(Eval("States.Format('}')"), "ERR:States.Runtime|Invalid arguments in States.Format");
}

TEST_F(IntrinsicTest, JsonConversions) {
  EXPECT_EQ(Eval("States.StringToJson('{\"a\": [1, 2.5]}')"), R"({"a":[1,2.5]})");
  EXPECT_EQ(Eval("States.StringToJson('')"), "null");
  EXPECT_EQ(Eval("States.StringToJson(' ')"), "null");
  EXPECT_EQ(Eval("States.StringToJson('true')"), "true");
  EXPECT_EQ(Eval("States.StringToJson('nope')"),
            "ERR:States.Runtime|Invalid arguments in States.StringToJson");
  EXPECT_EQ(Eval("States.JsonToString($.o)"), R"("{\"a\":1}")");
  EXPECT_EQ(Eval("States.JsonToString($.f)"), R"("1.0")");
  EXPECT_EQ(Eval("States.JsonMerge($.o, States.StringToJson('{\"b\":2,\"a\":3}'), false)"),
            R"({"a":3,"b":2})");
  EXPECT_EQ(Eval("States.JsonMerge($.o, $.o, true)"),
            "ERR:States.Runtime|Invalid arguments in States.JsonMerge");
}

TEST_F(IntrinsicTest, Arrays) {
  EXPECT_EQ(Eval("States.Array(1, 'a', true, null, $.o)"), R"([1,"a",true,null,{"a":1}])");
  EXPECT_EQ(Eval("States.Array()"), "[]");
  EXPECT_EQ(Eval("States.ArrayPartition($.arr, 4)"), R"([[1,2,2,"x"],[{"k":1},{"k":1}]])");
  EXPECT_EQ(Eval("States.ArrayPartition($.arr, 0)"),
            "ERR:States.Runtime|Invalid arguments in States.ArrayPartition");
  EXPECT_EQ(Eval("States.ArrayContains($.arr, $.o)"), "false");
  EXPECT_EQ(Eval("States.ArrayContains($.arr, States.StringToJson('{\"k\":1}'))"), "true");
  EXPECT_EQ(Eval("States.ArrayRange(1, 9, 2)"), "[1,3,5,7,9]");
  EXPECT_EQ(Eval("States.ArrayRange(5, 1, -2)"), "[5,3,1]");
  EXPECT_EQ(Eval("States.ArrayRange(1, 5, -1)"), "[]");
  EXPECT_EQ(Eval("States.ArrayRange(1, 1000, 1)").size(), 3894u);
  EXPECT_EQ(Eval("States.ArrayRange(1, 1001, 1)"),
            "ERR:States.Runtime|Invalid arguments in States.ArrayRange");
  EXPECT_EQ(Eval("States.ArrayRange(1, 10, 0)"),
            "ERR:States.Runtime|Invalid arguments in States.ArrayRange");
  EXPECT_EQ(Eval("States.ArrayGetItem($.arr, 3)"), R"("x")");
  EXPECT_EQ(Eval("States.ArrayGetItem($.arr, 6)"),
            "ERR:States.Runtime|Invalid arguments in States.ArrayGetItem");
  EXPECT_EQ(Eval("States.ArrayLength($.arr)"), "6");
  EXPECT_EQ(Eval("States.ArrayLength($.o)"),
            "ERR:States.Runtime|Invalid arguments in States.ArrayLength");
  EXPECT_EQ(Eval("States.ArrayUnique($.arr)"), R"([1,2,"x",{"k":1}])");
  // Objects compare like Java maps: key order does not matter; 1 equals 1.0.
  EXPECT_EQ(Eval("States.ArrayContains(States.StringToJson('[{\"a\":1,\"b\":2}]'), "
                 "States.StringToJson('{\"b\":2.0,\"a\":1}'))"),
            "true");
  EXPECT_EQ(Eval("States.ArrayLength($v.w)"), "2");
}

TEST_F(IntrinsicTest, EncodingHashingAndStrings) {
  EXPECT_EQ(Eval("States.Base64Encode('Data to encode')"), R"("RGF0YSB0byBlbmNvZGU=")");
  EXPECT_EQ(Eval("States.Base64Encode('ab')"), R"("YWI=")");
  EXPECT_EQ(Eval("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"), R"("Data to encode")");
  EXPECT_EQ(Eval("States.Base64Decode('***')"),
            "ERR:States.Runtime|Invalid arguments in States.Base64Decode");
  EXPECT_EQ(Eval("States.Hash('input data', 'SHA-1')"),
            R"("aaff4a450a104cd177d28d18d74485e8cae074b7")");
  EXPECT_EQ(Eval("States.Hash('input data', 'SHA-3')"),
            "ERR:States.Runtime|Invalid arguments in States.Hash");
  EXPECT_EQ(Eval("States.StringSplit($.s, ',;')"), R"(["a","b","c"])");
  EXPECT_EQ(Eval("States.StringSplit($.n, ',')"),
            "ERR:States.Runtime|Invalid arguments in States.StringSplit");
}

TEST_F(IntrinsicTest, MathAndRandomness) {
  EXPECT_EQ(Eval("States.MathAdd(1.5, -2.5)"), "0");
  EXPECT_EQ(Eval("States.MathAdd($.n, -1)"), "2");
  EXPECT_EQ(Eval("States.MathAdd('1', 2)"),
            "ERR:States.Runtime|Invalid arguments in States.MathAdd");
  EXPECT_EQ(Eval("States.MathAdd(2147483648, 1)"),
            "ERR:States.Runtime|Invalid arguments in States.MathAdd");
  const std::string seeded = Eval("States.MathRandom(0, 1000, 7)");
  EXPECT_EQ(Eval("States.MathRandom(0, 1000, 7)"), seeded);
  for (int i = 0; i < 50; ++i) {
    const int value = std::stoi(Eval("States.MathRandom(10, 13)"));
    EXPECT_GE(value, 10);
    EXPECT_LT(value, 13);
  }
  EXPECT_EQ(Eval("States.MathRandom(5, 5)"),
            "ERR:States.Runtime|Invalid arguments in States.MathRandom");
  base::Rng first(9);
  base::Rng second(9);
  auto uuid = *Intrinsic::Parse("States.UUID()");
  EvalContext ctx_a{&input_, nullptr, nullptr, &first};
  EvalContext ctx_b{&input_, nullptr, nullptr, &second};
  EXPECT_EQ(*uuid.Evaluate(ctx_a, "u.$"), *uuid.Evaluate(ctx_b, "u.$"));
  EXPECT_EQ(uuid.Evaluate(ctx_a, "u.$")->get<std::string>().size(), 36u);
}

TEST_F(IntrinsicTest, NestedCallsAndContextPaths) {
  EXPECT_EQ(Eval("States.ArrayGetItem(States.StringSplit($$.Execution.Name, '-'), "
                 "States.MathAdd(States.ArrayLength(States.StringSplit($$.Execution.Name, '-')), "
                 "-1))"),
            R"("1")");
  EXPECT_EQ(Eval("States.ArrayLength($.arr[?(@ == 2)])"), "2");
}

TEST_F(IntrinsicTest, MissingPathArgumentNamesTheField) {
  EXPECT_EQ(Eval("States.Format('{}', $.missing)"),
            "ERR:States.Runtime|The JSONPath '$.missing' specified for the field 'f.$' could not "
            "be found in the input '" +
                JavaJsonText(input_) + "'");
}

TEST(IntrinsicParseTest, RejectsMalformedCalls) {
  for (const char* bad : {"States.Nope(1)", "States.MathAdd(1)", "States.UUID(1)",
                          "States.Format('a'", "States.Format('a)", "States.Array(1,)",
                          "States.Array(1) x", "States.Array(foo)", "States.ArrayLength($.a[)"}) {
    EXPECT_FALSE(Intrinsic::Parse(bad).has_value()) << bad;
  }
  std::string deep = "1";
  for (int i = 0; i < 11; ++i) {
    deep = "States.Array(" + deep + ")";
  }
  EXPECT_FALSE(Intrinsic::Parse(deep).has_value());
  EXPECT_TRUE(Intrinsic::LooksLikeIntrinsic("States.Array()"));
  EXPECT_FALSE(Intrinsic::LooksLikeIntrinsic("$.a"));
}

}  // namespace
}  // namespace flowstate::query

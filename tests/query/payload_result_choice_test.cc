#include <gtest/gtest.h>

#include "json/json.h"
#include "query/choice_rule.h"
#include "query/payload_template.h"
#include "query/result_path.h"

namespace flowstate::query {
namespace {

using json::Json;

Json J(std::string_view text) { return *json::Parse(text); }

TEST(PayloadTemplateTest, EvaluatesNestedDynamicFields) {
  const Json input = J(R"({"a":{"b":1},"items":[{"v":1},{"v":2}]})");
  const Json context = J(R"({"Map":{"Item":{"Value":"it"}}})");
  const Json variables = J(R"({"x":"var"})");
  auto tmpl = PayloadTemplate::Compile(J(R"j({
      "const": {"k": [1, {"q": "$.not.a.path"}]},
      "b.$": "$.a.b",
      "all.$": "$",
      "vs.$": "$.items[*].v",
      "ctx.$": "$$.Map.Item.Value",
      "var.$": "$x",
      "nested": {"arr": [{"n.$": "$.a"}, 2], "fn.$": "States.Format('{}-{}', $.a.b, $x)"}})j"));
  ASSERT_TRUE(tmpl.has_value()) << tmpl.error().message();
  EXPECT_FALSE(tmpl->IsConstant());
  auto out = tmpl->Evaluate(EvalContext{&input, &context, &variables, nullptr});
  ASSERT_TRUE(out.has_value()) << out.error().cause;
  EXPECT_EQ(
      json::Dump(*out),
      R"({"const":{"k":[1,{"q":"$.not.a.path"}]},"b":1,"all":)" + json::Dump(input) +
          R"(,"vs":[1,2],"ctx":"it","var":"var","nested":{"arr":[{"n":{"b":1}},2],"fn":"1-var"}})");
}

TEST(PayloadTemplateTest, MissingPathGivesAwsCause) {
  const Json input = J(R"({"int-literal":0})");
  auto tmpl = PayloadTemplate::Compile(J(R"({"value.$": "$.no_such_jsonpath"})"));
  ASSERT_TRUE(tmpl.has_value());
  auto out = tmpl->Evaluate(EvalContext{&input, nullptr, nullptr, nullptr});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().error, "States.Runtime");
  EXPECT_EQ(out.error().cause,
            "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be "
            "found in the input '{\"int-literal\":0}'");
}

TEST(PayloadTemplateTest, ConstantTemplatesAreFolded) {
  auto tmpl = PayloadTemplate::Compile(J(R"({"a":[1,{"b":2}],"c":"$.x"})"));
  ASSERT_TRUE(tmpl.has_value());
  EXPECT_TRUE(tmpl->IsConstant());
}

TEST(PayloadTemplateTest, CompileErrorsNameTheField) {
  auto not_string = PayloadTemplate::Compile(J(R"({"a":{"x.$": 1}})"));
  ASSERT_FALSE(not_string.has_value());
  EXPECT_NE(not_string.error().message().find("'x.$'"), std::string::npos);
  auto bad_path = PayloadTemplate::Compile(J(R"({"x.$": "$.a["})"));
  ASSERT_FALSE(bad_path.has_value());
  EXPECT_NE(bad_path.error().message().find("'x.$'"), std::string::npos);
  EXPECT_FALSE(PayloadTemplate::Compile(J(R"j({"x.$": "States.Nope()"})j")).has_value());
  EXPECT_FALSE(PayloadTemplate::Compile(J(R"({"x.$": "plain"})")).has_value());
}

TEST(DynamicValueTest, PathsAndIntrinsics) {
  const Json input = J(R"({"Error":"E","Cause":"C"})");
  EvalContext ctx{&input, nullptr, nullptr, nullptr};
  auto path = DynamicValue::Compile("$.Error");
  ASSERT_TRUE(path.has_value());
  EXPECT_TRUE(path->is_path());
  EXPECT_EQ(*path->Evaluate(ctx, "ErrorPath"), "E");
  auto call = DynamicValue::Compile("States.Format('{}!', $.Cause)");
  ASSERT_TRUE(call.has_value());
  EXPECT_EQ(*call->Evaluate(ctx, "CausePath"), "C!");
  auto missing = DynamicValue::Compile("$.NoSuchCausePath");
  EXPECT_EQ(missing->Evaluate(ctx, "CausePath").error().cause,
            "The JSONPath '$.NoSuchCausePath' specified for the field 'CausePath' could not be "
            "found in the input '{\"Error\":\"E\",\"Cause\":\"C\"}'");
}

TEST(ResultPathTest, ReplaceDiscardAndInsert) {
  const Json input = J(R"({"a":{"b":1},"arr":[0,1]})");
  EXPECT_EQ(*ResultPath::Replace().Apply(input, J("5")), J("5"));
  EXPECT_EQ(*ResultPath::Discard().Apply(input, J("5")), input);
  EXPECT_EQ(*ResultPath::Compile(J("null"))->Apply(input, J("5")), input);
  EXPECT_TRUE(ResultPath::Parse("$")->replaces());
  EXPECT_EQ(json::Dump(*ResultPath::Parse("$.a.c")->Apply(input, J("5"))),
            R"({"a":{"b":1,"c":5},"arr":[0,1]})");
  EXPECT_EQ(json::Dump(*ResultPath::Parse("$.x.y.z")->Apply(input, J("[1]"))),
            R"({"a":{"b":1},"arr":[0,1],"x":{"y":{"z":[1]}}})");
  EXPECT_EQ(json::Dump(*ResultPath::Parse("$.a")->Apply(input, J("null"))),
            R"({"a":null,"arr":[0,1]})");
  EXPECT_EQ(json::Dump(*ResultPath::Parse("$.arr[1]")->Apply(input, J("9"))),
            R"({"a":{"b":1},"arr":[0,9]})");
}

TEST(ResultPathTest, FailuresAreResultPathMatchFailure) {
  const Json input = J(R"({"a":{"b":1},"arr":[0,1]})");
  auto crossing = ResultPath::Parse("$.a.b.c")->Apply(input, J("1"));
  ASSERT_FALSE(crossing.has_value());
  EXPECT_EQ(crossing.error().error, "States.ResultPathMatchFailure");
  EXPECT_EQ(crossing.error().cause, "Unable to apply step \"c\" to input 1");
  EXPECT_FALSE(ResultPath::Parse("$.arr[5]")->Apply(input, J("1")).has_value());
  EXPECT_FALSE(ResultPath::Parse("$.x")->Apply(J("\"text\""), J("1")).has_value());
}

TEST(ResultPathTest, AppliesToAndMaxGrowthDescribeApply) {
  // A caller that hands its input to Apply checks AppliesTo first and bounds the output by
  // MaxGrowth: both must hold for every path and input.
  const char* inputs[] = {R"({"a":{"b":1},"arr":[0,{"x":1}]})",
                          R"({"a":1})",
                          "[1,2]",
                          "\"text\"",
                          "null",
                          R"({"ke\"y":{}})",
                          "{}"};
  const char* paths[] = {"$.a",      "$.a.b",  "$.a.b.c", "$.x.y.z",      "$.arr[1]", "$.arr[-1].x",
                         "$.arr[5]", "$.x[0]", "$[0]",    "$['ke\"y'].n", "$.a[0]"};
  const char* results[] = {"5", R"({"long":"\u0001\u0002 text"})", "[]", "null"};
  for (const char* input_text : inputs) {
    for (const char* path_text : paths) {
      auto path = ResultPath::Parse(path_text);
      ASSERT_TRUE(path.has_value()) << path_text;
      for (const char* result_text : results) {
        const Json input = J(input_text);
        auto applied = path->Apply(input, J(result_text));
        EXPECT_EQ(path->AppliesTo(input), applied.has_value()) << path_text << " on " << input_text;
        if (applied) {
          EXPECT_LE(json::Dump(*applied).size(),
                    json::Dump(input).size() + path->MaxGrowth(J(result_text)))
              << path_text << " on " << input_text;
        }
      }
    }
  }
}

TEST(ResultPathTest, RejectsNonReferencePaths) {
  for (const char* bad : {"$.a[*]", "$..a", "$.a[1:2]", "$.a[?(@.x)]", "$$.a", "$x.a", "a"}) {
    EXPECT_FALSE(ResultPath::Parse(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ResultPath::Compile(J("1")).has_value());
}

// Evaluates `rule` on `input`; "true", "false" or "ERR:<cause>".
std::string Choose(std::string_view rule, std::string_view input_text,
                   const Json* variables = nullptr) {
  auto compiled = ChoiceRule::Compile(J(rule));
  EXPECT_TRUE(compiled.has_value()) << rule << ": " << compiled.error().message();
  if (!compiled) {
    return "COMPILE-ERROR";
  }
  const Json input = J(input_text);
  const Json context = J(R"({"State":{"Name":"S"}})");
  auto result = compiled->Evaluate(EvalContext{&input, &context, variables, nullptr});
  if (!result) {
    return "ERR:" + result.error().cause;
  }
  return *result ? "true" : "false";
}

TEST(ChoiceRuleTest, ComparatorsAndTypeMismatch) {
  EXPECT_EQ(Choose(R"({"Variable":"$.v","StringEquals":"a","Next":"N"})", R"({"v":"a"})"), "true");
  EXPECT_EQ(Choose(R"({"Variable":"$.v","StringEquals":"1"})", R"({"v":1})"), "false");
  EXPECT_EQ(Choose(R"({"Variable":"$.v","NumericEquals":1})", R"({"v":1.0})"), "true");
  EXPECT_EQ(Choose(R"({"Variable":"$.v","NumericLessThanPath":"$.w"})", R"({"v":1,"w":1.5})"),
            "true");
  EXPECT_EQ(Choose(R"({"Variable":"$.v","BooleanEqualsPath":"$.w"})", R"({"v":true,"w":true})"),
            "true");
  EXPECT_EQ(Choose(R"({"Variable":"$.v","TimestampLessThan":"2020-01-01T00:00:01Z"})",
                   R"({"v":"2020-01-01T01:00:00+01:00"})"),
            "true");
  EXPECT_EQ(Choose(R"({"Variable":"$.v","IsTimestamp":true})", R"({"v":"2020-01-01"})"), "false");
  EXPECT_EQ(Choose(R"({"Variable":"$.v","TimestampLessThan":"2020-01-01T00:00:00.0001Z"})",
                   R"({"v":"2020-01-01T00:00:00.00009Z"})"),
            "true");
  EXPECT_EQ(Choose(R"({"Variable":"$.v","TimestampEquals":"1969-12-31T23:59:59.5Z"})",
                   R"({"v":"1969-12-31T22:59:59.500+00:00"})"),
            "false");
  EXPECT_EQ(Choose(R"({"Variable":"$.v","TimestampEquals":"1969-12-31T23:59:59.5Z"})",
                   R"({"v":"1970-01-01T00:59:59.500000+01:00"})"),
            "true");
  EXPECT_EQ(Choose(R"({"Variable":"$$.State.Name","StringEquals":"S"})", "{}"), "true");
  const Json variables = J(R"({"count":3})");
  EXPECT_EQ(Choose(R"({"Variable":"$count","NumericGreaterThan":2})", "{}", &variables), "true");
}

TEST(ChoiceRuleTest, StringMatchesWildcards) {
  EXPECT_TRUE(MatchesWildcard("log-2020.txt", "log-*.txt"));
  EXPECT_TRUE(MatchesWildcard("anything", "*"));
  EXPECT_TRUE(MatchesWildcard("a*b", "a\\*b"));
  EXPECT_FALSE(MatchesWildcard("axb", "a\\*b"));
  EXPECT_TRUE(MatchesWildcard("a\\b", "a\\\\b"));
  EXPECT_FALSE(MatchesWildcard("log.csv", "log-*.txt"));
  EXPECT_TRUE(MatchesWildcard("aaa", "*a*a*"));
  EXPECT_EQ(Choose(R"({"Variable":"$.v","StringMatches":"*.txt"})", R"({"v":"x.txt"})"), "true");
}

TEST(ChoiceRuleTest, BooleanCombinations) {
  const char* rule = R"({"And":[{"Variable":"$.a","NumericGreaterThan":1},
                               {"Or":[{"Variable":"$.b","StringEquals":"x"},
                                      {"Not":{"Variable":"$.c","IsPresent":true}}]}],
                        "Next":"N"})";
  EXPECT_EQ(Choose(rule, R"({"a":2,"b":"x"})"), "true");
  EXPECT_EQ(Choose(rule, R"({"a":2,"b":"y"})"), "true");
  EXPECT_EQ(Choose(rule, R"({"a":2,"b":"y","c":null})"), "false");
  EXPECT_EQ(Choose(rule, R"({"a":1,"b":"x"})"), "false");
}

TEST(ChoiceRuleTest, MissingVariableIsAnErrorExceptForIsPresent) {
  EXPECT_EQ(Choose(R"({"Variable":"$.missing","IsPresent":false})", "{}"), "true");
  EXPECT_EQ(Choose(R"({"Variable":"$.missing","StringEquals":"a"})", "{}"),
            "ERR:Invalid path '$.missing': The choice state's condition path references an "
            "invalid value.");
  EXPECT_EQ(Choose(R"({"Variable":"$.v","NumericEqualsPath":"$.w"})", R"({"v":1})"),
            "ERR:Invalid path '$.w': The choice state's condition path references an invalid "
            "value.");
}

TEST(ChoiceRuleTest, MalformedRulesAreRejected) {
  for (const char* bad : {
           R"({"Variable":"$.a"})",
           R"({"Variable":"$.a","StringEquals":"x","NumericEquals":1})",
           R"({"Variable":"$.a","StringEquals":1})",
           R"({"Variable":"$.a","NumericEquals":"1"})",
           R"({"Variable":"$.a","TimestampEquals":"yesterday"})",
           R"({"Variable":"$.a","IsNull":"yes"})",
           R"({"Variable":"$.a[*]","IsNull":true})",
           R"({"Variable":"$.a","StringEqualsPath":"$..b"})",
           R"({"StringEquals":"x"})",
           R"({"And":[]})",
           R"({"Not":[{"Variable":"$.a","IsNull":true}]})",
           R"({"And":[{"Variable":"$.a","IsNull":true}],"Or":[]})",
           R"({"Variable":"$.a","Unknown":1})",
       }) {
    EXPECT_FALSE(ChoiceRule::Compile(J(bad)).has_value()) << bad;
  }
}

}  // namespace
}  // namespace flowstate::query

#include "query/json_path.h"

#include <gtest/gtest.h>

#include "json/json.h"
#include "query/intrinsic.h"
#include "query/java_text.h"

namespace flowstate::query {
namespace {

using json::Json;

Json J(std::string_view text) { return *json::Parse(text); }

JsonPath P(std::string_view text) {
  auto path = JsonPath::Parse(text);
  EXPECT_TRUE(path.has_value()) << text << ": " << path.error().message();
  return *path;
}

// Evaluates `path` on `input`; returns the compact result or "ERR:<message>".
std::string Eval(std::string_view path, const Json& input, const Json* context = nullptr,
                 const Json* variables = nullptr) {
  EvalContext ctx{&input, context, variables, nullptr};
  auto matches = P(path).Evaluate(ctx);
  if (!matches) {
    return "ERR:" + matches.error();
  }
  return json::Dump(matches->ToJson());
}

TEST(JsonPathTest, DefinitePaths) {
  const Json input = J(R"({"a":{"b":[10,20,{"c":"x"}]},"k-1":1,"sp ace":2})");
  EXPECT_EQ(Eval("$", input), json::Dump(input));
  EXPECT_EQ(Eval("$.a.b[0]", input), "10");
  EXPECT_EQ(Eval("$.a.b[-1].c", input), "\"x\"");
  EXPECT_EQ(Eval("$['a']['b'][1]", input), "20");
  EXPECT_EQ(Eval("$[\"a\"].b[2]['c']", input), "\"x\"");
  EXPECT_EQ(Eval("$.k-1", input), "1");
  EXPECT_EQ(Eval("$['sp ace']", input), "2");
  EXPECT_TRUE(P("$.a.b[0]").IsDefinite());
  EXPECT_TRUE(P("$.a.b[0]").IsReferencePath());
  EXPECT_EQ(P("$.a.b[-1].c").canonical(), "$['a']['b'][-1]['c']");
}

TEST(JsonPathTest, DefiniteMissingGivesJaywayMessages) {
  const Json input = J(R"({"items":[1,2],"n":null,"s":"str","o":{"x":1}})");
  EXPECT_EQ(Eval("$.NoSuchInputPath", input), "ERR:No results for path: $['NoSuchInputPath']");
  EXPECT_EQ(Eval("$.no.such.result.path", input), "ERR:Missing property in path $['no']");
  EXPECT_EQ(Eval("$.items[5]", input), "ERR:No results for path: $['items'][5]");
  EXPECT_EQ(Eval("$.n[0]", input), "ERR:The path $['n'] is null");
  EXPECT_EQ(Eval("$.o[0]", input),
            "ERR:Filter: [0] can only be applied to arrays. Current context is: {x=1}");
  EXPECT_TRUE(Eval("$.s.x", input)
                  .starts_with(
                      "ERR:Expected to find an object with property ['x'] in path $['s'] but found "
                      "'java.lang.String'"));
}

TEST(JsonPathTest, IndefinitePathsOnMissingDataGiveEmptyArrays) {
  const Json empty = J("{}");
  for (const char* path :
       {"$.items[*]", "$.item.items[*]", "$.items[1:]", "$.items[:1]", "$.item.items[1:5]",
        "$.items[*].itemValue", "$.item.items[1:5].itemValue"}) {
    EXPECT_EQ(Eval(path, empty), "[]") << path;
    EXPECT_FALSE(P(path).IsDefinite()) << path;
  }
}

TEST(JsonPathTest, WildcardsSlicesUnionsAndScan) {
  const Json input = J(R"({"a":[0,1,2,3,4,5],"o":{"x":{"id":1},"y":{"id":2,"z":{"id":3}}}})");
  EXPECT_EQ(Eval("$.a[*]", input), "[0,1,2,3,4,5]");
  EXPECT_EQ(Eval("$.a[1:5:2]", input), "[1,3]");
  EXPECT_EQ(Eval("$.a[-2:]", input), "[4,5]");
  EXPECT_EQ(Eval("$.a[:2]", input), "[0,1]");
  EXPECT_EQ(Eval("$.a[::-2]", input), "[5,3,1]");
  EXPECT_EQ(Eval("$.a[0,2]", input), "[0,2]");
  EXPECT_EQ(Eval("$.o.*.id", input), "[1,2]");
  EXPECT_EQ(Eval("$..id", input), "[1,2,3]");
  EXPECT_EQ(Eval("$.o['x','y'].id", input), "[1,2]");
  EXPECT_FALSE(P("$..id").IsReferencePath());
}

TEST(JsonPathTest, Filters) {
  const Json input = J(R"({"items":[{"x":1,"n":"a"},{"x":2,"n":"b"},{"x":3},{"y":true}],"lim":2})");
  EXPECT_EQ(Eval("$.items[?(@.x > 1)].x", input), "[2,3]");
  EXPECT_EQ(Eval("$.items[?(@.n == 'a')].x", input), "[1]");
  EXPECT_EQ(Eval("$.items[?(@.x >= 2 && @.n)].n", input), "[\"b\"]");
  EXPECT_EQ(Eval("$.items[?(@.x == 1 || @.y == true)]", input), R"([{"x":1,"n":"a"},{"y":true}])");
  EXPECT_EQ(Eval("$.items[?(@.y)]", input), R"([{"y":true}])");
  EXPECT_EQ(Eval("$.items[?(!@.x)]", input), R"([{"y":true}])");
  EXPECT_EQ(Eval("$.items[?(@.x < $.lim)].x", input), "[1]");
  EXPECT_EQ(Eval("$.items[?(@.n in ['b','c'])].x", input), "[2]");
  EXPECT_EQ(Eval("$.items[?(@.n =~ /B/i)].x", input), "[2]");
  EXPECT_EQ(Eval("$.items[?(@.x != 2)].x", input), "[1,3]");
  // Dot-bracket forms as used in AWS's own regex-path recordings.
  const Json users = J(R"([{"year":1997,"name":"a"},{"year":1999,"name":"b"}])");
  EXPECT_EQ(Eval("$.[?(@.year < 1999)].name", users), R"(["a"])");
  EXPECT_EQ(Eval("$[?(@.year <= 1999)].year", users), "[1997,1999]");
  EXPECT_EQ(Eval("$.[1].name", users), R"("b")");
}

TEST(JsonPathTest, ContextAndVariableRoots) {
  const Json input = J(R"({"a":1})");
  const Json context = J(R"({"Execution":{"Name":"exec"}})");
  const Json variables = J(R"({"x":{"a":{"b":5}},"y":[1,2]})");
  EXPECT_EQ(Eval("$$.Execution.Name", input, &context), "\"exec\"");
  EXPECT_EQ(Eval("$$", input, &context), json::Dump(context));
  EXPECT_EQ(Eval("$x.a.b", input, nullptr, &variables), "5");
  EXPECT_EQ(Eval("$y[1]", input, nullptr, &variables), "2");
  EXPECT_EQ(P("$x.a.b").root(), PathRoot::kVariable);
  EXPECT_EQ(P("$x.a.b").variable_name(), "x");
  EXPECT_EQ(P("$$.a").root(), PathRoot::kContext);
  EXPECT_TRUE(Eval("$missing", input, nullptr, &variables).starts_with("ERR:"));
}

TEST(JsonPathTest, SelectWrapsErrorsAsStatesRuntime) {
  const Json input = J(R"({"int-literal":0})");
  EvalContext ctx{&input, nullptr, nullptr, nullptr};
  auto result = P("$.NoSuchInputPath").Select(ctx);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().error, "States.Runtime");
  EXPECT_EQ(result.error().cause,
            "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']");
  const JsonPath path = P("$.int-literal");
  EXPECT_EQ(path.Find(ctx), &input["int-literal"]);
}

TEST(JsonPathTest, ParseErrors) {
  for (const char* bad : {"", "a.b", "$.", "$[", "$.a[?(@.x >)]", "$[1:2:0]", "$['a"}) {
    auto path = JsonPath::Parse(bad);
    EXPECT_FALSE(path.has_value()) << bad;
  }
  EXPECT_EQ(JsonPath::Parse("$.a[").error().message(), "Invalid JSONPath '$.a[': unterminated '['");
}

TEST(JavaTextTest, NumbersAndToString) {
  EXPECT_EQ(JavaNumberText(J("1.0")), "1.0");
  EXPECT_EQ(JavaNumberText(J("1.1")), "1.1");
  EXPECT_EQ(JavaNumberText(J("1e20")), "1.0E20");
  EXPECT_EQ(JavaNumberText(J("1.5e-5")), "1.5E-5");
  EXPECT_EQ(JavaNumberText(J("0.001")), "0.001");
  EXPECT_EQ(JavaNumberText(J("1234567.5")), "1234567.5");
  EXPECT_EQ(JavaNumberText(J("12345678.5")), "1.23456785E7");
  EXPECT_EQ(JavaNumberText(J("-42")), "-42");
  EXPECT_EQ(JavaToString(J(R"({"Id":"arn","Name":"n","L":[1,"a",null]})")),
            "{Id=arn, Name=n, L=[1, a, null]}");
  EXPECT_EQ(JavaJsonText(J(R"({"a":[1.0,2,"x"]})")), R"({"a":[1.0,2,"x"]})");
}

}  // namespace
}  // namespace flowstate::query

namespace flowstate::query {
namespace {

// Malformed text must give an error, never a crash or a hang.
TEST(JsonPathTest, MalformedInputsNeverCrash) {
  const char* const kTexts[] = {
      "$[",
      "$..",
      "$.[",
      "$['a'",
      "$[?(",
      "$[?(@.a ==",
      "$[?(@.a)",
      "$[?(@.a)]]",
      "$[1:2:3:4]",
      "$[-]",
      "$[,]",
      "$[0,]",
      "$.a..",
      "$[?(/x/)]",
      "$[?(@ =~ /(/)]",
      "$[?(@.a in [1,)]",
      "$$$",
      "$[?(!)]",
      "$[?(()]",
      "$[?(@.a && )]",
      "$['a\\']",
      "$[99999999999999999999]",
      "$[?(@.a > 'x)]",
  };
  const json::Json input = *json::Parse(R"({"a":[1,{"b":2}]})");
  for (const char* text : kTexts) {
    auto path = JsonPath::Parse(text);
    if (path) {
      EvalContext ctx{&input, nullptr, nullptr, nullptr};
      (void)path->Evaluate(ctx);
    }
  }
  const char* const kCalls[] = {
      "States.",
      "States.Format(",
      "States.Format('",
      "States.Format('\\",
      "States.Array(,)",
      "States.Array(1 2)",
      "States.Array($.a[)",
      "States.Array(States.Array(",
      "States.Array('a'b)",
      "States.Array(-)",
      "States.Array(1e999)",
  };
  for (const char* text : kCalls) {
    EXPECT_FALSE(Intrinsic::Parse(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace flowstate::query

// JsonataTemplate: "{% %}" strings at any depth, literal folding, AWS's cause texts and field
// names, `$states` and variable bindings; plus the create-time static checks.
#include "query/jsonata_template.h"

#include <gtest/gtest.h>

#include "json/json.h"
#include "query/jsonata/expression.h"
#include "query/jsonata_static_check.h"

namespace flowstate::query {
namespace {

using json::Json;

Json Parse(const char* text) {
  auto parsed = json::Parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : Json();
}

// `$states` made of the documents only, as the engine gives it for a state's input.
class DocumentStates final : public JsonataStates {
 public:
  const jsonata::Value& AsValue() override {
    if (value_.IsUndefined()) {
      auto object = std::make_shared<jsonata::ObjectData>();
      if (input != nullptr) object->Append("input", jsonata::FromJson(*input));
      value_ = jsonata::Value::FromObject(std::move(object));
    }
    return value_;
  }

 private:
  jsonata::Value value_;
};

JsonataTemplate Compile(const char* text) {
  auto compiled = JsonataTemplate::Compile(Parse(text));
  EXPECT_TRUE(compiled.has_value()) << text;
  return std::move(*compiled);
}

TEST(JsonataTemplateTest, RecognisesWholeExpressionStringsOnly) {
  EXPECT_TRUE(IsJsonataString("{% 1 %}"));
  EXPECT_TRUE(IsJsonataString("{%1%}"));
  EXPECT_FALSE(IsJsonataString(" {% 1 %}"));
  EXPECT_FALSE(IsJsonataString("{% 1 %} "));
  EXPECT_FALSE(IsJsonataString("{%}"));
  EXPECT_FALSE(IsJsonataString("plain"));
}

TEST(JsonataTemplateTest, ConstantValuesAreFolded) {
  JsonataTemplate tmpl = Compile(R"({"a": [1, "x", {"b": null}], "c": "{ % not % }"})");
  EXPECT_TRUE(tmpl.IsConstant());
  EXPECT_FALSE(tmpl.reads_states());
  auto value = tmpl.Evaluate(JsonataScope{}, "Output");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(*value, Parse(R"({"a": [1, "x", {"b": null}], "c": "{ % not % }"})"));
}

TEST(JsonataTemplateTest, EvaluatesExpressionsAtAnyDepth) {
  JsonataTemplate tmpl =
      Compile(R"({"sum": "{% $sum($states.input.n) %}", "list": ["{% $v & '!' %}", 2]})");
  EXPECT_FALSE(tmpl.IsConstant());
  EXPECT_TRUE(tmpl.reads_states());
  EXPECT_FALSE(tmpl.may_read_context());
  const Json input = Parse(R"({"n": [1, 2, 3]})");
  DocumentStates states;
  states.input = &input;
  Json variables = {{"v", "hi"}};
  JsonataScope scope{&states, &variables, nullptr};
  auto value = tmpl.Evaluate(scope, "Output");
  ASSERT_TRUE(value.has_value()) << value.error().cause;
  EXPECT_EQ(*value, Parse(R"({"sum": 6, "list": ["hi!", 2]})"));
}

TEST(JsonataTemplateTest, UndefinedIsAnErrorNamingTheNestedField) {
  JsonataTemplate tmpl = Compile(R"({"a": {"b": ["{% 1 %}", "{%  $nothing  %}"]}})");
  const Json input = Json::object();
  DocumentStates states;
  states.input = &input;
  auto value = tmpl.Evaluate(JsonataScope{&states, nullptr, nullptr}, "Output");
  ASSERT_FALSE(value.has_value());
  EXPECT_EQ(value.error().error, "States.QueryEvaluationError");
  EXPECT_EQ(value.error().cause,
            "The JSONata expression '$nothing' specified for the field 'Output/a/b[1]' returned "
            "nothing (undefined).");
  ASSERT_TRUE(value.error().evaluation_location.has_value());
  EXPECT_EQ(*value.error().evaluation_location, "Output/a/b[1]");
}

TEST(JsonataTemplateTest, EvaluationErrorsCarryTheJsonataCode) {
  JsonataTemplate tmpl = Compile(R"({"r": "{% $nope(1) %}"})");
  const Json input = Json::object();
  DocumentStates states;
  states.input = &input;
  auto value = tmpl.Evaluate(JsonataScope{&states, nullptr, nullptr}, "Output");
  ASSERT_FALSE(value.has_value());
  EXPECT_EQ(value.error().cause,
            "The JSONata expression '$nope(1)' specified for the field 'Output/r' threw an error "
            "during evaluation. T1006: Attempted to invoke a non-function");
}

TEST(JsonataTemplateTest, EvalIsNotAvailable) {
  JsonataTemplate tmpl = Compile(R"("{% $eval('1 + 1') %}")");
  const Json input = Json::object();
  DocumentStates states;
  states.input = &input;
  EXPECT_FALSE(tmpl.Evaluate(JsonataScope{&states, nullptr, nullptr}, "Output").has_value());
}

TEST(JsonataTemplateTest, OnlyAWholeValueThatCannotFailTakesTheInputGivenUp) {
  const Json original = Parse(R"({"items": [{"id": 1}, {"id": 2}], "n": 1})");
  struct Case {
    const char* field;
    const char* expected;
    bool taken;
  };
  const Case cases[] = {
      // The whole value rebuilds the input: it is taken, not copied.
      {R"("{% $merge([$states.input, {'x': $states.input.n}]) %}")",
       R"({"items": [{"id": 1}, {"id": 2}], "n": 1, "x": 1})", true},
      // One expression of several: the others may still read the input.
      {R"({"a": "{% $merge([$states.input, {'x': 1}]) %}", "b": "{% $states.input.n %}"})",
       R"({"a": {"items": [{"id": 1}, {"id": 2}], "n": 1, "x": 1}, "b": 1})", false},
      // `items.id` maps over an array: the evaluator answers, from the untouched input.
      {R"("{% $merge([$states.input, {'x': $states.input.items.id}]) %}")",
       R"({"items": [{"id": 1}, {"id": 2}], "n": 1, "x": [1, 2]})", false},
  };
  for (const Case& c : cases) {
    JsonataTemplate tmpl = Compile(c.field);
    Json input = original;
    DocumentStates states;
    states.input = &input;
    states.consumable_input = &input;
    states.take_budget = SIZE_MAX;
    auto value = tmpl.Evaluate(JsonataScope{&states, nullptr, nullptr}, "Output");
    ASSERT_TRUE(value.has_value()) << c.field << value.error().cause;
    EXPECT_EQ(*value, Parse(c.expected)) << c.field;
    EXPECT_EQ(input != original, c.taken) << c.field;
  }
}

TEST(JsonataTemplateTest, ContextReadsAreDetected) {
  EXPECT_FALSE(Compile(R"("{% $states.input.a & $states.result.b %}")").may_read_context());
  EXPECT_TRUE(Compile(R"("{% $states.context.Execution.Id %}")").may_read_context());
  EXPECT_TRUE(Compile(R"("{% $keys($states) %}")").may_read_context());
  EXPECT_TRUE(Compile(R"("{% $states.inputs %}")").may_read_context());
}

TEST(JsonataTemplateTest, ParseErrorsAreReportedAtCompileTime) {
  auto compiled = JsonataTemplate::Compile(Json("{% a[1,2) %}"));
  ASSERT_FALSE(compiled.has_value());
  EXPECT_NE(compiled.error().message().find("S0202"), std::string::npos);
}

TEST(JsonataTemplateTest, TypeErrorsQuoteTheValue) {
  base::AslError error = JsonataTypeError("$x", "Items", "array", Json{{"foo", "bar"}});
  EXPECT_EQ(error.cause,
            "The JSONata expression '$x' specified for the field 'Items' returned an unexpected "
            "result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}");
}

std::vector<std::string> TopLevel(const char* expression) {
  auto compiled = jsonata::Expression::Compile(expression);
  EXPECT_TRUE(compiled.has_value()) << expression;
  return TopLevelReferences(*compiled);
}

TEST(JsonataStaticCheckTest, FindsTopLevelReferences) {
  EXPECT_EQ(TopLevel("phone"), std::vector<std::string>{"phone"});
  EXPECT_EQ(TopLevel("a.b & c"), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(TopLevel("$ & $$.x"), (std::vector<std::string>{"$", "$$"}));
  EXPECT_EQ(TopLevel("{'k': phone}"), std::vector<std::string>{"phone"});
  EXPECT_TRUE(TopLevel("$states.input.items[price > 3].name").empty());
  EXPECT_TRUE(TopLevel("$map($states.input, function($v) { $v.a })").empty());
  EXPECT_TRUE(TopLevel("($x := $states.input; $x.a)").empty());
  EXPECT_TRUE(TopLevel("$states.input.{'n': name}").empty());
}

TEST(JsonataStaticCheckTest, FindsStatesMembers) {
  auto compiled = jsonata::Expression::Compile("$count($states.result.items) + 1");
  ASSERT_TRUE(compiled.has_value());
  EXPECT_TRUE(ReadsStatesMember(*compiled, "result"));
  EXPECT_FALSE(ReadsStatesMember(*compiled, "errorOutput"));
}

}  // namespace
}  // namespace flowstate::query

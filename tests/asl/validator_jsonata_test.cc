// The validator's JSONata expression rules: INVALID_JSONATA_EXPRESSION for an expression that
// does not parse, UNSUPPORTED_JSONATA_EXPRESSION for top-level references and `$states`
// members a field does not offer; JSONPath states and literal strings are left alone.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asl/definition.h"

namespace flowstate::asl {
namespace {

using Lines = std::vector<std::string>;

Lines Check(const std::string& text) {
  Lines out;
  for (const Diagnostic& d : ValidateDefinitionText(text, ValidationOptions{})) {
    out.push_back(d.code + "|" + d.message + "|" + d.location);
  }
  return out;
}

// A JSONata machine whose only state is `state`.
std::string Jsonata(const std::string& state) {
  return R"({"QueryLanguage":"JSONata","StartAt":"X","States":{"X":)" + state + "}}";
}

TEST(ValidatorJsonataTest, AcceptsWellFormedExpressions) {
  EXPECT_TRUE(Check(Jsonata(R"json({"Type":"Pass","End":true,
      "Output":{"a":"{% $states.input.a %}","b":["{% $x + 1 %}","literal {% x"],
                "c":"{% $map($states.input.l, function($v){ $v.name }) %}"},
      "Assign":{"x":"{% $states.context.Execution.Id %}"}})json"))
                  .empty());
  EXPECT_TRUE(Check(Jsonata(R"json({"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
      "Arguments":{"FunctionName":"f","Payload":"{% $states.input %}"},
      "Output":"{% $states.result.Payload %}","Assign":{"r":"{% $states.result %}"},
      "Catch":[{"ErrorEquals":["States.ALL"],"Output":"{% $states.errorOutput %}","Next":"X"}],
      "End":true})json"))
                  .empty());
}

TEST(ValidatorJsonataTest, ExpressionsThatDoNotParse) {
  Lines lines =
      Check(Jsonata(R"json({"Type":"Pass","End":true,"Output":{"v":"{% a[1,2) %}"}})json"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].substr(0, 27), "INVALID_JSONATA_EXPRESSION|");
  EXPECT_NE(lines[0].find("S0202"), std::string::npos);
  EXPECT_EQ(lines[0].substr(lines[0].rfind('|')), "|/States/X/Output/v");
}

TEST(ValidatorJsonataTest, TopLevelReferences) {
  EXPECT_EQ(Check(Jsonata(R"json({"Type":"Pass","End":true,
      "Output":{"v":"{% phone & $ %}"},"Assign":{"l":["{% $$.x %}"]}})json")),
            (Lines{"UNSUPPORTED_JSONATA_EXPRESSION|Reference to 'phone' at the top level is not "
                   "supported.|/States/X/Output/v",
                   "UNSUPPORTED_JSONATA_EXPRESSION|Reference to '$' at the top level is not "
                   "supported.|/States/X/Output/v",
                   "UNSUPPORTED_JSONATA_EXPRESSION|Reference to '$$' at the top level is not "
                   "supported.|/States/X/Assign/l[0]"}));
}

TEST(ValidatorJsonataTest, StatesMembersOnlyWhereOffered) {
  EXPECT_EQ(Check(Jsonata(R"json({"Type":"Pass","End":true,"Output":"{% $states.result %}"})json")),
            (Lines{"UNSUPPORTED_JSONATA_EXPRESSION|Field '$states.result' does not exist.|"
                   "/States/X/Output"}));
  EXPECT_EQ(Check(Jsonata(R"json({"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
      "Arguments":{"p":"{% $states.errorOutput %}"},"End":true})json")),
            (Lines{"UNSUPPORTED_JSONATA_EXPRESSION|Field '$states.errorOutput' does not exist.|"
                   "/States/X/Arguments/p"}));
  EXPECT_EQ(Check(Jsonata(R"json({"Type":"Choice","Default":"Y",
      "Choices":[{"Condition":"{% $states.result %}","Next":"Y"}]},
      "Y":{"Type":"Succeed"})json")),
            (Lines{"UNSUPPORTED_JSONATA_EXPRESSION|Field '$states.result' does not exist.|"
                   "/States/X/Choices[0]/Condition"}));
}

TEST(ValidatorJsonataTest, NestedScopesAndJsonPathStates) {
  // The Map's inner state inherits the machine's JSONPath language: its strings are literals.
  EXPECT_TRUE(Check(R"json({"StartAt":"M","States":{"M":{"Type":"Map","QueryLanguage":"JSONata",
      "Items":"{% $states.input.l %}","End":true,
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"{% phone %}",
      "End":true}}}}}})json")
                  .empty());
  EXPECT_EQ(Check(Jsonata(R"json({"Type":"Parallel","End":true,"Branches":[{"StartAt":"B",
      "States":{"B":{"Type":"Pass","Output":"{% nope %}","End":true}}}]})json")),
            (Lines{"UNSUPPORTED_JSONATA_EXPRESSION|Reference to 'nope' at the top level is not "
                   "supported.|/States/X/Branches[0]/States/B/Output"}));
}

TEST(ValidatorJsonataTest, CreateRefusesWhatValidateReports) {
  auto loaded = LoadDefinition(
      Jsonata(R"json({"Type":"Pass","End":true,"Output":"{% phone %}"})json"), ValidationOptions{});
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().message(),
            "Invalid State Machine Definition: 'UNSUPPORTED_JSONATA_EXPRESSION: Reference to "
            "'phone' at the top level is not supported. at /States/X/Output'");
}

}  // namespace
}  // namespace flowstate::asl

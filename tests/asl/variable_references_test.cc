#include "asl/variable_references.h"

#include <gtest/gtest.h>

#include "json/json.h"

namespace flowstate::asl {
namespace {

using Refs = std::map<std::string, std::vector<std::string>>;

Refs Of(const char* definition) {
  auto parsed = json::Parse(definition);
  EXPECT_TRUE(parsed.has_value()) << definition;
  return VariableReferences(*parsed);
}

TEST(VariableReferences, JsonPathPathsTemplatesAndChoices) {
  // Literal members (no `.$`) and Result are not references; names come sorted.
  EXPECT_EQ(Of(R"js({"StartAt":"A","States":{
      "A":{"Type":"Pass","Parameters":{"literal":"$result"},"Assign":{"result":"foobar"},
           "Next":"B"},
      "B":{"Type":"Pass","Parameters":{"r.$":"$result","c.$":"$$.Execution.Id","i.$":"$.x"},
           "ResultPath":"$.result","Next":"C"},
      "C":{"Type":"Choice","Choices":[{"Variable":"$guess","StringEqualsPath":"$answer",
           "Next":"D"}],"Default":"D"},
      "D":{"Type":"Wait","SecondsPath":"$waitTime","Next":"E"},
      "E":{"Type":"Pass","Result":{"x.$":"$notRead"},"End":true}}})js"),
            (Refs{{"B", {"result"}}, {"C", {"answer", "guess"}}, {"D", {"waitTime"}}}));
}

TEST(VariableReferences, IntrinsicsAndNestedScopes) {
  EXPECT_EQ(Of(R"js({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$list",
      "MaxConcurrencyPath":"$max",
      "ItemProcessor":{"StartAt":"S","States":{"S":{"Type":"Pass","Assign":{
        "sum.$":"States.MathAdd(States.MathAdd($y, $x), $bias)"},"End":true}}},"End":true}}})js"),
            (Refs{{"M", {"list", "max"}}, {"S", {"bias", "x", "y"}}}));
}

TEST(VariableReferences, JsonataExpressionsLeaveOutStatesLocalsAndFunctions) {
  EXPECT_EQ(Of(R"js({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Output":"{% $merge([$states.input, {'n': $count + 1}]) %}",
           "Assign":{"total":"{% ($t := $total; $map($items, function($v){ $v * $t })) %}"},
           "Next":"B"},
      "B":{"Type":"Choice","Choices":[{"Condition":"{% $flag and $uuid() != '' %}","Next":"C"}],
           "Default":"C"},
      "C":{"Type":"Succeed","Comment":"{% $notAnExpression %}"}}})js"),
            (Refs{{"A", {"count", "items", "total"}}, {"B", {"flag"}}}));
}

TEST(VariableReferences, NoneWhenNothingIsRead) {
  EXPECT_TRUE(Of(R"js({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})js").empty());
  auto parsed = json::Parse(R"js({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})js");
  EXPECT_TRUE(VariableReferencesJson(*parsed).is_null());
}

}  // namespace
}  // namespace flowstate::asl

// Assign variable names and variable scopes at validation time.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asl/definition.h"

namespace flowstate::asl {
namespace {

std::vector<std::string> Check(const std::string& text) {
  std::vector<std::string> out;
  for (const Diagnostic& d : ValidateDefinitionText(text, ValidationOptions{})) {
    out.push_back(d.code + "|" + d.message + "|" + d.location);
  }
  return out;
}

std::string PassAssigning(const std::string& assign, bool jsonata = false) {
  return std::string(R"({)") + (jsonata ? R"("QueryLanguage":"JSONata",)" : "") +
         R"("StartAt":"X","States":{"X":{"Type":"Pass","Assign":)" + assign + R"(,"End":true}}})";
}

TEST(ValidatorVariablesTest, AcceptsValidNames) {
  EXPECT_TRUE(Check(PassAssigning(R"({"x":1,"_y2":"a","z.$":"$.z","café":true})")).empty());
  EXPECT_TRUE(Check(PassAssigning(R"({"x":"{% 1 %}"})", true)).empty());
  EXPECT_TRUE(Check(PassAssigning(R"({")" + std::string(80, 'a') + R"(":1})")).empty());
}

TEST(ValidatorVariablesTest, RejectsLongInvalidAndReservedNames) {
  const std::string long_name(81, 'a');
  EXPECT_EQ(Check(PassAssigning(R"({")" + long_name + R"(":1})")),
            (std::vector<std::string>{"SCHEMA_VALIDATION_FAILED|The variable name '" + long_name +
                                      "' is longer than 80 characters|/States/X/Assign"}));
  const std::string invalid =
      "' is not valid: it must start with a letter or '_' and contain only letters, digits and "
      "'_'|/States/X/Assign";
  EXPECT_EQ(
      Check(PassAssigning(R"({"1x":1,"a-b":2})")),
      (std::vector<std::string>{"SCHEMA_VALIDATION_FAILED|The variable name '1x" + invalid,
                                "SCHEMA_VALIDATION_FAILED|The variable name 'a-b" + invalid}));
  EXPECT_EQ(
      Check(PassAssigning(R"({"states":1})", true)),
      (std::vector<std::string>{
          "SCHEMA_VALIDATION_FAILED|The variable name 'states' is reserved|/States/X/Assign"}));
  // In JSONata a `.$` suffix is part of the name.
  EXPECT_EQ(Check(PassAssigning(R"({"x.$":"{% 1 %}"})", true)).size(), 1u);
}

TEST(ValidatorVariablesTest, ChecksCatcherAndChoiceRuleAssigns) {
  EXPECT_EQ(
      Check(R"({"StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"T",
           "Assign":{"bad name":1}}],"Default":"T"},
      "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,
           "Catch":[{"ErrorEquals":["States.ALL"],"Next":"C","Assign":{"states":1}}]}}})"),
      (std::vector<std::string>{
          "SCHEMA_VALIDATION_FAILED|The variable name 'bad name' is not valid: it must "
          "start with a letter or '_' and contain only letters, digits and "
          "'_'|/States/C/Choices[0]/Assign",
          "SCHEMA_VALIDATION_FAILED|The variable name 'states' is reserved|/States/T/Catch[0]/"
          "Assign"}));
}

std::string ParallelMachine(const std::string& outer_assign, const std::string& catch_assign,
                            const std::string& branch_assign) {
  return R"({"StartAt":"A","States":{"A":{"Type":"Pass","Assign":)" + outer_assign +
         R"(,"Next":"P"},"P":{"Type":"Parallel","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"A","Assign":)" +
         catch_assign + R"(}],"Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":)" +
         branch_assign + R"(,"End":true}}}]}}})";
}

TEST(ValidatorVariablesTest, InnerScopeCannotAssignAnOuterName) {
  EXPECT_EQ(Check(ParallelMachine(R"({"x":1})", R"({"e":1})", R"({"x":2,"y":3})")),
            (std::vector<std::string>{
                "SCHEMA_VALIDATION_FAILED|The variable 'x' is assigned in an outer scope and "
                "cannot be assigned in a Parallel branch or Map iteration|/States/P/Branches[0]/"
                "States/B/Assign"}));
  // The Parallel's own Catcher runs after its branches: a branch may assign the same name.
  EXPECT_TRUE(Check(ParallelMachine(R"({"x":1})", R"({"y":1})", R"({"y":2})")).empty());
  // Map iterations too, at any depth; a Distributed Map's iterations start afresh.
  const std::string map = R"({"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},
      "Next":"M"},"M":{"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":{"Mode":"MODE"},
      "StartAt":"I","States":{"I":{"Type":"Pass","Assign":{"x.$":"$"},"End":true}}}}}})";
  std::string inline_map = map;
  inline_map.replace(inline_map.find("MODE"), 4, "INLINE");
  EXPECT_EQ(Check(inline_map).size(), 1u);
  std::string distributed = map;
  distributed.replace(distributed.find("MODE"), 4, "DISTRIBUTED");
  EXPECT_TRUE(Check(distributed).empty());
}

}  // namespace
}  // namespace flowstate::asl

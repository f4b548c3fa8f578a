// Focused checks of the definition validator: AWS's codes, messages, locations and order.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asl/definition.h"
#include "json/json.h"

namespace flowstate::asl {
namespace {

using json::Json;

std::vector<Diagnostic> Validate(std::string_view text, bool express = false) {
  ValidationOptions options;
  options.express = express;
  return ValidateDefinitionText(text, options);
}

// "CODE|message|location" per diagnostic, for compact expectations.
std::vector<std::string> Summary(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics) {
    EXPECT_EQ(d.severity, "ERROR");
    out.push_back(d.code + "|" + d.message + "|" + d.location);
  }
  return out;
}

std::vector<std::string> Check(std::string_view text, bool express = false) {
  return Summary(Validate(text, express));
}

using Lines = std::vector<std::string>;

// A one-state machine around `state` (JSON text of the state object).
std::string One(const std::string& state) {
  return R"({"StartAt":"X","States":{"X":)" + state + "}}";
}

TEST(ValidatorTest, AcceptsMinimalDefinitions) {
  EXPECT_TRUE(Check(One(R"({"Type":"Pass","End":true})")).empty());
  EXPECT_TRUE(Check(One(R"({"Type":"Succeed"})")).empty());
  EXPECT_TRUE(Check(One(R"({"Type":"Fail","Error":"E","Cause":"C"})")).empty());
  EXPECT_TRUE(Check(One(R"({"Type":"Wait","Seconds":0,"End":true})")).empty());
  EXPECT_TRUE(
      Check(One(R"({"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true})"))
          .empty());
}

TEST(ValidatorTest, AcceptsARichJsonPathDefinition) {
  const std::string text = R"js({
    "Comment": "c", "Version": "1.0", "TimeoutSeconds": 60, "QueryLanguage": "JSONPath",
    "StartAt": "T",
    "States": {
      "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"a.$": "$.a", "b.$": "States.Format('{}', $.b)", "c": {"d.$": "$$.Execution.Id"}},
            "ResultSelector": {"p.$": "$.Payload"}, "ResultPath": "$.r", "OutputPath": "$",
            "InputPath": "$", "TimeoutSeconds": 10, "HeartbeatSeconds": 5,
            "Assign": {"v.$": "$.x", "w": 1},
            "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 1,
                       "MaxAttempts": 0, "BackoffRate": 1.5, "MaxDelaySeconds": 5,
                       "JitterStrategy": "FULL"},
                      {"ErrorEquals": ["States.ALL"]}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "C"}],
            "Next": "C"},
      "C": {"Type": "Choice",
            "Choices": [{"Variable": "$.r", "IsPresent": true, "Next": "W"},
                        {"And": [{"Variable": "$.n", "NumericGreaterThan": 1},
                                 {"Not": {"Variable": "$.s", "StringEquals": "x"}}],
                         "Next": "P"},
                        {"Variable": "$.t", "TimestampLessThan": "2024-01-01T00:00:00Z", "Next": "P"},
                        {"Variable": "$var", "StringEqualsPath": "$.other", "Next": "P"}],
            "Default": "F"},
      "W": {"Type": "Wait", "TimestampPath": "$.when", "Next": "P"},
      "P": {"Type": "Parallel", "Branches": [
              {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Result": {"x": 1}, "End": true}}}],
            "Next": "M"},
      "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 0,
            "ItemSelector": {"i.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I",
                              "States": {"I": {"Type": "Pass", "End": true}}},
            "Next": "S"},
      "S": {"Type": "Succeed"},
      "F": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('{}', $.c)"}
    }})js";
  EXPECT_EQ(Check(text), Lines{});
}

TEST(ValidatorTest, AcceptsJsonataDefinitions) {
  const std::string text = R"({"QueryLanguage":"JSONata","StartAt":"T","States":{
    "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":"{% $states.input %}",
         "Output":{"x":"{% $states.result %}"},"TimeoutSeconds":"{% 3 %}","Assign":{"a":"{% 1 %}"},
         "Catch":[{"ErrorEquals":["States.ALL"],"Output":"{% $states.errorOutput %}","Next":"C"}],
         "Next":"C"},
    "C":{"Type":"Choice","Choices":[{"Condition":"{% true %}","Next":"M","Assign":{"b":2}}],"Default":"M"},
    "M":{"Type":"Map","Items":"{% [1,2] %}","MaxConcurrency":"{% 2 %}",
         "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}})";
  EXPECT_EQ(Check(text), Lines{});
}

TEST(ValidatorTest, AcceptsJsonPathToJsonataOverride) {
  EXPECT_EQ(
      Check(One(R"({"Type":"Pass","QueryLanguage":"JSONata","Output":"{% 1 %}","End":true})")),
      Lines{});
}

TEST(ValidatorTest, ReportsJacksonMessagesForInvalidJson) {
  EXPECT_EQ(Check("not a definition"),
            (Lines{"INVALID_JSON_DESCRIPTION|Unrecognized token 'not': was expecting (JSON String, "
                   "Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: "
                   "(String)\"not a definition\"; line: 1, column: 4]|[Source: (String)\"not a "
                   "definition\"; line: 1, column: 4]"}));
  EXPECT_EQ(Validate(R"({"a": })")[0].message,
            "Unexpected character ('}' (code 125)): expected a value\n at [Source: "
            "(String)\"{\"a\": }\"; line: 1, column: 8]");
  EXPECT_EQ(Validate("{\"a\":1,}")[0].message,
            "Unexpected character ('}' (code 125)): was expecting double-quote to start field "
            "name\n at [Source: (String)\"{\"a\":1,}\"; line: 1, column: 9]");
  EXPECT_EQ(Validate("{\n\"a\" 1}")[0].message,
            "Unexpected character ('1' (code 49)): was expecting a colon to separate field name "
            "and value\n at [Source: (String)\"{\n\"a\" 1}\"; line: 2, column: 6]");
  EXPECT_EQ(Validate("[1 2]")[0].message,
            "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries\n"
            " at [Source: (String)\"[1 2]\"; line: 1, column: 5]");
  EXPECT_EQ(
      Validate("{\"a\":[1,2]")[0].message,
      "Unexpected end-of-input: expected close marker for Object (start marker at [Source: "
      "(String)\"{\"a\":[1,2]\"; line: 1, column: 1])\n at [Source: (String)\"{\"a\":[1,2]\"; "
      "line: 1, column: 11]");
  EXPECT_EQ(Validate("{\"a")[0].message,
            "Unexpected end-of-input: was expecting closing quote for a string value\n at "
            "[Source: (String)\"{\"a\"; line: 1, column: 4]");
  EXPECT_EQ(
      Validate("{\"a\":tru}")[0].message,
      "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token "
      "'null', 'true' or 'false')\n at [Source: (String)\"{\"a\":tru}\"; line: 1, column: 9]");
  for (const Diagnostic& d : Validate("{\"a\":tru}")) EXPECT_EQ(d.code, "INVALID_JSON_DESCRIPTION");
}

TEST(ValidatorTest, TruncatesLongSourcesAsJacksonDoes) {
  const std::string text = "x" + std::string(600, 'y');
  const auto diagnostics = Validate(text);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].location.find("\"[truncated 101 chars]; line: 1, column: 257]"),
            std::string::npos)
      << diagnostics[0].location;
  EXPECT_NE(diagnostics[0].message.find("'x" + std::string(255, 'y') + "...'"), std::string::npos);
}

TEST(ValidatorTest, EmptyOrNonObjectDefinitionHasNoLocation) {
  for (const char* text : {"", "  \n", "[]", "\"x\"", "1", "null"}) {
    EXPECT_EQ(Check(text),
              Lines{"SCHEMA_VALIDATION_FAILED|Definition must be a valid JSON object|"})
        << text;
  }
}

TEST(ValidatorTest, IgnoresTextAfterTheFirstValueAsJacksonDoes) {
  EXPECT_EQ(Check(One(R"({"Type":"Pass","End":true})") + " trailing"), Lines{});
}

TEST(ValidatorTest, RequiresTopLevelFields) {
  EXPECT_EQ(Check("{}"),
            Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [States, StartAt]|/"});
  EXPECT_EQ(Check(R"({"Comment":"c","StartAt":"A"})"),
            Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [States]|/"});
  EXPECT_EQ(Check(R"({"Foo":1,"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}})"),
            Lines{"SCHEMA_VALIDATION_FAILED|Field 'Foo' is not supported|/"});
  EXPECT_EQ(Check(R"({"StartAt":1,"States":[]})"),
            (Lines{"SCHEMA_VALIDATION_FAILED|Expected value of type [STRING]|/StartAt",
                   "SCHEMA_VALIDATION_FAILED|Expected value of type [OBJECT]|/States"}));
}

TEST(ValidatorTest, ChecksStateType) {
  EXPECT_EQ(Check(One(R"({"Type":"Nope","End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|The field 'Type' should have one of these values: "
                  "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]|/States/X/Type"});
  EXPECT_EQ(Check(One(R"({"End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [Type]|/States/X"});
  EXPECT_EQ(Check(One(R"({"Type":7})")),
            Lines{"SCHEMA_VALIDATION_FAILED|Expected value of type [STRING]|/States/X/Type"});
  EXPECT_EQ(Check(One("[]")),
            Lines{"SCHEMA_VALIDATION_FAILED|Expected value of type [OBJECT]|/States/X"});
}

TEST(ValidatorTest, RefusesFieldsAStateTypeDoesNotSupport) {
  EXPECT_EQ(Check(One(R"({"Type":"Pass","End":true,"Retry":[],"TimeoutSeconds":5})")),
            (Lines{"SCHEMA_VALIDATION_FAILED|Field 'Retry' is not supported|/States/X",
                   "SCHEMA_VALIDATION_FAILED|Field 'TimeoutSeconds' is not supported|/States/X"}));
  EXPECT_EQ(Check(One(R"({"Type":"Fail","Next":"X"})")),
            Lines{"SCHEMA_VALIDATION_FAILED|Field 'Next' is not supported|/States/X"});
  EXPECT_EQ(Check(One(R"({"Type":"Succeed","End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|Field 'End' is not supported|/States/X"});
  EXPECT_EQ(Check(One(R"({"Type":"Pass","End":true,"Foo":1})")),
            Lines{"SCHEMA_VALIDATION_FAILED|Field 'Foo' is not supported|/States/X"});
}

TEST(ValidatorTest, RequiresExactlyOneOfNextAndEnd) {
  EXPECT_EQ(Check(One(R"({"Type":"Pass"})")),
            Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [Next]|/States/X"});
  EXPECT_EQ(Check(One(R"({"Type":"Pass","End":false})")),
            Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [Next]|/States/X"});
  EXPECT_EQ(Check(One(R"({"Type":"Pass","End":true,"Next":"X"})")),
            Lines{"SCHEMA_VALIDATION_FAILED|Only one of these fields can be specified: [Next, "
                  "End]|/States/X"});
}

TEST(ValidatorTest, ReportsMissingTransitionTargetsWhereTheyAre) {
  EXPECT_EQ(Check(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Ghost"},
                     "Z":{"Type":"Pass","End":true}}})"),
            (Lines{"MISSING_TRANSITION_TARGET|Missing 'Next' target: Ghost|/States/A/Next",
                   "MISSING_TRANSITION_TARGET|State \"Z\" is not reachable.|/States/Z"}));
  EXPECT_EQ(
      Check(R"({"StartAt":"C","States":{"C":{"Type":"Choice",
                     "Choices":[{"Variable":"$.x","IsPresent":true,"Next":"Ghost"}],"Default":"Nope"},
                     "Z":{"Type":"Succeed"}}})"),
      (Lines{"MISSING_TRANSITION_TARGET|Missing 'Next' target: Ghost|/States/C/Choices[0]/Next",
             "MISSING_TRANSITION_TARGET|Missing 'Next' target: Nope|/States/C/Default",
             "MISSING_TRANSITION_TARGET|State \"Z\" is not reachable.|/States/Z"}));
  EXPECT_EQ(
      Check(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::x",
                     "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Ghost"}],"End":true}}})"),
      Lines{"MISSING_TRANSITION_TARGET|Missing 'Next' target: Ghost|/States/T/Catch[0]/Next"});
  EXPECT_EQ(Check(R"({"StartAt":"Nope","States":{"A":{"Type":"Pass","End":true}}})"),
            (Lines{"MISSING_TRANSITION_TARGET|Missing 'Next' target: Nope|/StartAt",
                   "MISSING_TRANSITION_TARGET|State \"A\" is not reachable.|/States/A"}));
}

TEST(ValidatorTest, TransitionsStayInsideTheirScope) {
  const std::string text = R"({"StartAt":"P","States":{
    "P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{
          "B":{"Type":"Pass","Next":"Done"},
          "Ghost":{"Type":"Pass","End":true}}}],"Next":"Done"},
    "Done":{"Type":"Succeed"}}})";
  EXPECT_EQ(Check(text), (Lines{"MISSING_TRANSITION_TARGET|Missing 'Next' target: "
                                "Done|/States/P/Branches[0]/States/B/Next",
                                "MISSING_TRANSITION_TARGET|State \"Ghost\" is not "
                                "reachable.|/States/P/Branches[0]/States/Ghost"}));
  const std::string map = R"({"StartAt":"M","States":{"M":{"Type":"Map",
    "ItemProcessor":{"StartAt":"Nope","States":{"A":{"Type":"Pass","End":true}}},"End":true}}})";
  EXPECT_EQ(
      Check(map),
      (Lines{
          "MISSING_TRANSITION_TARGET|Missing 'Next' target: Nope|/States/M/ItemProcessor/StartAt",
          "MISSING_TRANSITION_TARGET|State \"A\" is not "
          "reachable.|/States/M/ItemProcessor/States/A"}));
}

TEST(ValidatorTest, ReportsAWorkflowWithoutTerminalState) {
  const std::string loop = R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
                              "B":{"Type":"Pass","Next":"A"},"U":{"Type":"Pass","Next":"A"}}})";
  const auto diagnostics = Validate(loop);
  EXPECT_EQ(Summary(diagnostics), Lines{"MISSING_END_STATE|Workflow has no terminal state|"});
  EXPECT_EQ(FormatInvalidDefinitionMessage(diagnostics),
            "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state "
            "at null'");
  EXPECT_EQ(Check(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"NOPE"}}})"),
            (Lines{"MISSING_TRANSITION_TARGET|Missing 'Next' target: NOPE|/States/A/Next",
                   "MISSING_END_STATE|Workflow has no terminal state|"}));
  // Only the top level needs a terminal state.
  EXPECT_EQ(Check(R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
                     "ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
                     "B":{"Type":"Pass","Next":"A"}}},"End":true}}})"),
            Lines{});
}

TEST(ValidatorTest, StateNamesAreUniqueAcrossScopes) {
  const std::string text = R"({"StartAt":"M","States":{"M":{"Type":"Map",
    "Iterator":{"StartAt":"Final","States":{"Final":{"Type":"Pass","End":true}}},"Next":"Final"},
    "Final":{"Type":"Pass","End":true}}})";
  EXPECT_EQ(Check(text), Lines{"DUPLICATE_STATE_NAME|Duplicate State name: Final|/States/Final"});
}

TEST(ValidatorTest, LimitsStateNameLength) {
  const std::string name(81, 'n');
  const std::string ok_name(80, 'n');
  EXPECT_EQ(Check(R"({"StartAt":")" + ok_name + R"(","States":{")" + ok_name +
                  R"(":{"Type":"Succeed"}}})"),
            Lines{});
  EXPECT_EQ(
      Check(R"({"StartAt":")" + name + R"(","States":{")" + name + R"(":{"Type":"Succeed"}}})"),
      Lines{"INVALID_STATE_NAME|State name exceeds the maximum length of 80 characters|/States/" +
            name});
}

TEST(ValidatorTest, QueryLanguageRules) {
  EXPECT_EQ(Check(R"({"QueryLanguage":"JSONata","StartAt":"X","States":{"X":{"Type":"Pass",
                     "QueryLanguage":"JSONPath","Output":1,"End":true}}})"),
            Lines{"SCHEMA_VALIDATION_FAILED|'QueryLanguage' can not be 'JSONPath' if set to "
                  "'JSONata' for whole state machine|/States/X"});
  EXPECT_EQ(
      Check(One(
          R"({"Type":"Task","Resource":"arn:aws:states:::x","Output":{},"Arguments":{},"End":true})")),
      (Lines{"SCHEMA_VALIDATION_FAILED|The QueryLanguage is set to 'JSONPath', but field "
             "'Output' is only supported for the 'JSONata' QueryLanguage|/States/X",
             "SCHEMA_VALIDATION_FAILED|The QueryLanguage is set to 'JSONPath', but field "
             "'Arguments' is only supported for the 'JSONata' QueryLanguage|/States/X"}));
  EXPECT_EQ(Check(One(R"({"Type":"Pass","QueryLanguage":"jsonata","InputPath":"$.a","End":true})")),
            (Lines{"SCHEMA_VALIDATION_FAILED|The QueryLanguage is set to 'JSONata', but field "
                   "'InputPath' is only supported for the 'JSONPath' QueryLanguage|/States/X",
                   "SCHEMA_VALIDATION_FAILED|Value should be one of the following: [JSONPath, "
                   "JSONata]|/States/X/QueryLanguage"}));
  EXPECT_EQ(Check(R"({"QueryLanguage":5,"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}})"),
            Lines{"SCHEMA_VALIDATION_FAILED|Expected value of type [STRING]|/QueryLanguage"});
  // A Map's language does not reach the states of its processor.
  EXPECT_EQ(Check(R"({"StartAt":"M","States":{"M":{"Type":"Map","QueryLanguage":"JSONata",
                     "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Output":1,"End":true}}},
                     "End":true}}})"),
            Lines{"SCHEMA_VALIDATION_FAILED|The QueryLanguage is set to 'JSONPath', but field "
                  "'Output' is only supported for the 'JSONata' "
                  "QueryLanguage|/States/M/ItemProcessor/States/P"});
  EXPECT_EQ(
      Check(
          R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"QueryLanguage":"JSONata",
                     "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})"),
      Lines{"SCHEMA_VALIDATION_FAILED|Field 'QueryLanguage' is not "
            "supported|/States/M/ItemProcessor"});
}

TEST(ValidatorTest, RetrierRules) {
  auto task = [](const std::string& retry) {
    return One(R"({"Type":"Task","Resource":"arn:aws:states:::x","End":true,"Retry":)" + retry +
               "}");
  };
  EXPECT_EQ(
      Check(task(R"([{"ErrorEquals":["E"],"MaxAttempts":-1,"IntervalSeconds":0,
                          "BackoffRate":0.5,"JitterStrategy":"HALF","MaxDelaySeconds":0}])")),
      (Lines{"SCHEMA_VALIDATION_FAILED|Minimum value is 0|/States/X/Retry[0]/MaxAttempts",
             "SCHEMA_VALIDATION_FAILED|Minimum value is 1|/States/X/Retry[0]/IntervalSeconds",
             "SCHEMA_VALIDATION_FAILED|Minimum value is 1.0|/States/X/Retry[0]/BackoffRate",
             "SCHEMA_VALIDATION_FAILED|Value should be one of the following: [FULL, "
             "NONE]|/States/X/Retry[0]/JitterStrategy",
             "SCHEMA_VALIDATION_FAILED|Minimum value is 1|/States/X/Retry[0]/MaxDelaySeconds"}));
  EXPECT_EQ(
      Check(task(R"([{"MaxAttempts":2.5}])")),
      (Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [ErrorEquals]|/States/X/Retry[0]",
             "SCHEMA_VALIDATION_FAILED|Expected value of type "
             "[INTEGER]|/States/X/Retry[0]/MaxAttempts"}));
  EXPECT_EQ(Check(task(R"([{"ErrorEquals":["States.ALL","E"]}])")),
            Lines{"SCHEMA_VALIDATION_FAILED|Error name 'States.ALL' must appear alone in "
                  "'ErrorEquals'|/States/X/Retry[0]/ErrorEquals"});
  EXPECT_EQ(Check(task(R"([{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["E"]}])")),
            Lines{"SCHEMA_VALIDATION_FAILED|Error name 'States.ALL' must appear in the last "
                  "Retrier|/States/X/Retry[0]/ErrorEquals"});
  EXPECT_EQ(Check(task(R"([{"ErrorEquals":[]}])")),
            Lines{"SCHEMA_VALIDATION_FAILED|The field 'ErrorEquals' must have at least one "
                  "element|/States/X/Retry[0]/ErrorEquals"});
}

TEST(ValidatorTest, CatcherRules) {
  EXPECT_EQ(Check(One(R"({"Type":"Task","Resource":"arn:aws:states:::x","End":true,
                         "Catch":[{"ErrorEquals":["E"],"Foo":1}]})")),
            (Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [Next]|/States/X/Catch[0]",
                   "SCHEMA_VALIDATION_FAILED|Field 'Foo' is not supported|/States/X/Catch[0]"}));
}

TEST(ValidatorTest, WaitRules) {
  EXPECT_EQ(Check(One(R"({"Type":"Wait","End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|Exactly one of these fields is required: [Seconds, "
                  "Timestamp, SecondsPath, TimestampPath]|/States/X"});
  EXPECT_EQ(Check(One(R"({"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|Only one of these fields can be specified: [Seconds, "
                  "SecondsPath]|/States/X"});
  EXPECT_EQ(Check(One(R"({"Type":"Wait","Seconds":10000000000000000,"End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|Maximum value is 99999999|/States/X/Seconds"});
  EXPECT_EQ(Check(One(R"({"Type":"Wait","Seconds":-1,"End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|Minimum value is 0|/States/X/Seconds"});
  EXPECT_EQ(Check(One(R"({"Type":"Wait","Timestamp":"2024-01-01 00:00:00","End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|The value for the field 'Timestamp' must be a valid "
                  "timestamp|/States/X/Timestamp"});
  EXPECT_EQ(
      Check(One(R"({"Type":"Wait","Timestamp":"2024-12-05T21:29:29.243167252Z","End":true})")),
      Lines{});
}

TEST(ValidatorTest, ChoiceRules) {
  EXPECT_EQ(Check(One(R"({"Type":"Choice","Choices":[]})")),
            Lines{"SCHEMA_VALIDATION_FAILED|The field 'Choices' must have at least one "
                  "element|/States/X/Choices"});
  EXPECT_EQ(
      Check(One(
          R"({"Type":"Choice","End":true,"Choices":[{"Variable":"$.a","IsNull":true,"Next":"X"}]})")),
      Lines{"SCHEMA_VALIDATION_FAILED|Field 'End' is not supported|/States/X"});
  const std::string bad = One(R"({"Type":"Choice","Choices":[
      {"Variable":"$.a","NumericEquals":"1","Next":"X"},
      {"Variable":"a","BooleanEquals":true,"Next":"X"},
      {"Not":{"Variable":"$.a","IsNull":true,"Next":"X"},"Next":"X"},
      {"Variable":"$.a","Next":"X"},
      {"StringEquals":"x","Next":"X"},
      {"Variable":"$.a","StringEquals":"x"}],"Default":"X"})");
  EXPECT_EQ(
      Check(bad),
      (Lines{"SCHEMA_VALIDATION_FAILED|Expected value of type "
             "[NUMBER]|/States/X/Choices[0]/NumericEquals",
             "SCHEMA_VALIDATION_FAILED|The value for the field 'Variable' must be a valid "
             "ReferencePath|/States/X/Choices[1]/Variable",
             "SCHEMA_VALIDATION_FAILED|Field 'Next' is not supported|/States/X/Choices[2]/Not",
             "SCHEMA_VALIDATION_FAILED|A Choice Rule must have exactly one of: a comparison "
             "operator, 'And', 'Or' or 'Not'|/States/X/Choices[3]",
             "SCHEMA_VALIDATION_FAILED|These fields are required: [Variable]|/States/X/Choices[4]",
             "SCHEMA_VALIDATION_FAILED|These fields are required: [Next]|/States/X/Choices[5]"}));
}

TEST(ValidatorTest, TaskRules) {
  EXPECT_EQ(Check(One(R"({"Type":"Task","End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [Resource]|/States/X"});
  EXPECT_EQ(
      Check(
          One(R"({"Type":"Task","Resource":"arn:aws:states:::x","TimeoutSeconds":0,"End":true})")),
      Lines{"SCHEMA_VALIDATION_FAILED|Minimum value is 1|/States/X/TimeoutSeconds"});
  EXPECT_EQ(
      Check(One(
          R"({"Type":"Task","Resource":"arn:aws:states:::x","TimeoutSeconds":5,"HeartbeatSeconds":5,"End":true})")),
      Lines{"SCHEMA_VALIDATION_FAILED|HeartbeatSeconds must be smaller than "
            "TimeoutSeconds|/States/X/HeartbeatSeconds"});
  EXPECT_EQ(Check(One(R"({"Type":"Task","Resource":"foo","End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|The resource provided foo is not recognized. The value "
                  "is not a valid resource ARN, or the resource is not available in this "
                  "region.|/States/X/Resource"});
  EXPECT_EQ(
      Check(One(R"({"Type":"Task","Resource":"arn:aws:states:::x","Credentials":{},"End":true})")),
      Lines{"SCHEMA_VALIDATION_FAILED|The field 'RoleArn' is required but was "
            "missing|/States/X/Credentials"});
}

TEST(ValidatorTest, ExpressRefusesSyncCallbacksAndActivities) {
  const std::string activity =
      One(R"({"Type":"Task","Resource":"arn:aws:states:us-east-1:1:activity:a","End":true})");
  const std::string sync = One(
      R"({"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","End":true})");
  const std::string callback = One(
      R"({"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true})");
  for (const auto& text : {activity, sync, callback}) EXPECT_EQ(Check(text), Lines{});
  EXPECT_EQ(Check(activity, true),
            Lines{"SCHEMA_VALIDATION_FAILED|Express state machine does not support Activity "
                  "ARN|/States/X/Resource"});
  EXPECT_EQ(Check(sync, true),
            Lines{"SCHEMA_VALIDATION_FAILED|Express state machine does not support '.sync' service "
                  "integration |/States/X/Resource"});
  EXPECT_EQ(FormatInvalidDefinitionMessage(Validate(callback, true)),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine "
            "does not support '.waitForTaskToken' service integration at /States/X/Resource'");
}

TEST(ValidatorTest, PathAndTemplateRules) {
  EXPECT_EQ(
      Check(One(
          R"({"Type":"Pass","InputPath":"foo","ResultPath":"$..a","OutputPath":null,"End":true})")),
      (Lines{"SCHEMA_VALIDATION_FAILED|The value for the field 'InputPath' must be a valid "
             "JSONPath|/States/X/InputPath",
             "SCHEMA_VALIDATION_FAILED|The value for the field 'ResultPath' must be a valid "
             "ReferencePath|/States/X/ResultPath"}));
  EXPECT_EQ(
      Check(One(R"js({"Type":"Pass","Parameters":{"JobName.$":"foo","a":{"b.$":"States.Nope(1)"},
                         "c.$":"States.Array($.a, 'x')"},"End":true})js")),
      (Lines{"SCHEMA_VALIDATION_FAILED|The value for the field 'JobName.$' must be a valid "
             "JSONPath|/States/X/Parameters",
             "SCHEMA_VALIDATION_FAILED|The value for the field 'b.$' must be a valid JSONPath or a "
             "valid intrinsic function call|/States/X/Parameters"}));
  EXPECT_EQ(Check(One(R"({"Type":"Pass","Assign":[],"End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|Expected value of type [OBJECT]|/States/X/Assign"});
}

TEST(ValidatorTest, MapAndParallelRules) {
  EXPECT_EQ(Check(One(R"({"Type":"Map","End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [ItemProcessor]|/States/X"});
  EXPECT_EQ(Check(One(R"({"Type":"Parallel","End":true})")),
            Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [Branches]|/States/X"});
  EXPECT_EQ(
      Check(One(R"({"Type":"Parallel","Branches":[{"States":{}}],"End":true})")),
      Lines{"SCHEMA_VALIDATION_FAILED|These fields are required: [StartAt]|/States/X/Branches[0]"});
  EXPECT_EQ(
      Check(
          One(R"({"Type":"Map","MaxConcurrency":-1,"ItemProcessor":{"ProcessorConfig":{"Mode":"X"},
                         "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true})")),
      (Lines{"SCHEMA_VALIDATION_FAILED|Minimum value is 0|/States/X/MaxConcurrency",
             "SCHEMA_VALIDATION_FAILED|Value should be one of the following: [INLINE, "
             "DISTRIBUTED]|/States/X/ItemProcessor/ProcessorConfig/Mode"}));
}

TEST(ValidatorTest, FormatsSeveralErrorsInOneMessage) {
  const auto diagnostics = Validate(R"({"StartAt":"pass1","States":{
      "pass1":{"Type":"Pass","Next":"pass3"},"pass2":{"Type":"Pass","End":true}}})");
  EXPECT_EQ(FormatInvalidDefinitionMessage(diagnostics),
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: "
            "pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not "
            "reachable. at /States/pass2'");
}

TEST(ValidatorTest, RefusesOverlyDeepNesting) {
  std::string text = R"({"Type":"Pass","End":true})";
  for (int i = 0; i < 100; ++i) {
    text = R"({"Type":"Parallel","End":true,"Branches":[{"StartAt":"X","States":{"X":)" + text +
           "}}]}";
  }
  const auto diagnostics = Validate(One(text));
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics[0].code, "TOO_DEEPLY_NESTED");
}

// Random and hostile JSON must yield diagnostics, never a crash.
Json RandomValue(std::mt19937& rng, int depth) {
  static const std::vector<std::string> kKeys = {
      "Type",        "Next",          "End",      "States",      "StartAt",
      "Branches",    "ItemProcessor", "Iterator", "Choices",     "Variable",
      "Not",         "And",           "Or",       "Retry",       "Catch",
      "ErrorEquals", "Parameters",    "x.$",      "Resource",    "Seconds",
      "Timestamp",   "QueryLanguage", "Default",  "Credentials", "ResultPath",
      "InputPath",   "Assign",        "Output",   "Task",        "Pass",
      "Map",         "Parallel",      "Choice"};
  static const std::vector<Json> kScalars = {nullptr,
                                             true,
                                             false,
                                             0,
                                             -1,
                                             1.5,
                                             99999999999,
                                             "",
                                             "$",
                                             "$.a",
                                             "States.ALL",
                                             "Pass",
                                             "Map",
                                             "Parallel",
                                             "Choice",
                                             "Task",
                                             "Wait",
                                             "Fail",
                                             "Succeed",
                                             "JSONata",
                                             "JSONPath",
                                             "X",
                                             "{% 1 %}",
                                             "arn:aws:states:::x.sync",
                                             "States.Format('{}', $.a)",
                                             "$$.Map",
                                             "[",
                                             "$[?(@.a)]"};
  const int kind = static_cast<int>(rng() % (depth > 6 ? 1 : 3));
  if (kind == 0) return kScalars[rng() % kScalars.size()];
  if (kind == 1) {
    Json array = Json::array();
    const int size = static_cast<int>(rng() % 4);
    for (int i = 0; i < size; ++i) array.push_back(RandomValue(rng, depth + 1));
    return array;
  }
  Json object = Json::object();
  const int size = static_cast<int>(rng() % 6);
  for (int i = 0; i < size; ++i) object[kKeys[rng() % kKeys.size()]] = RandomValue(rng, depth + 1);
  return object;
}

TEST(ValidatorTest, SurvivesRandomDefinitions) {
  std::mt19937 rng(20261123);
  for (int i = 0; i < 3000; ++i) {
    Json definition = RandomValue(rng, 0);
    if (i % 2 == 0) {
      definition = Json::object({{"StartAt", "X"}, {"States", {{"X", RandomValue(rng, 1)}}}});
    }
    ValidateDefinition(definition, ValidationOptions{});
    std::string text = json::Dump(definition);
    if (!text.empty()) text[rng() % text.size()] = static_cast<char>(rng() % 128);
    ValidateDefinitionText(text, ValidationOptions{true});
    ValidateDefinitionText(text.substr(0, rng() % (text.size() + 1)), ValidationOptions{});
  }
}

TEST(ValidatorTest, SurvivesHostileShapes) {
  const std::string deep_array = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_FALSE(Validate(deep_array).empty());
  EXPECT_EQ(Validate(std::string(200000, '['))[0].code, "INVALID_JSON_DESCRIPTION");
  std::string deep_not = R"({"Variable":"$.a","IsNull":true})";
  for (int i = 0; i < 2000; ++i) deep_not = R"({"Not":)" + deep_not + "}";
  EXPECT_FALSE(Validate(One(R"({"Type":"Choice","Choices":[)" +
                            deep_not.substr(0, deep_not.size() - 1) + R"(,"Next":"X"}]})"))
                   .empty());
  std::string big = R"({"StartAt":"X","States":{"X":{"Type":"Pass","End":true,"Result":[)";
  for (int i = 0; i < 100000; ++i) big += "1,";
  big += R"(1]}}})";
  EXPECT_TRUE(Validate(big).empty());
  EXPECT_FALSE(Validate(R"({"StartAt":"X","States":"nope"})").empty());
  EXPECT_FALSE(Validate(R"({"StartAt":"X","States":{"X":{"Type":["Pass"]}}})").empty());
  EXPECT_FALSE(Validate(std::string("{\"a\":\"\x01\"}")).empty());
  EXPECT_FALSE(Validate("{\"a\":\"\xff\xfe\"}").empty());
}

}  // namespace
}  // namespace flowstate::asl

namespace flowstate::asl {
namespace {

// Path-like garbage reaches the JSONPath, intrinsic and choice-rule parsers of the query
// module through the validator: it must come back as diagnostics, never as a crash.
TEST(ValidatorTest, SurvivesRandomPathText) {
  static constexpr std::string_view kAlphabet = "$$..[]'\"*?@()<>=!&|,:-0129abStates.Format \\";
  std::mt19937 rng(7);
  auto random_text = [&] {
    std::string text = rng() % 2 == 0 ? "$" : "States.";
    const size_t length = rng() % 24;
    for (size_t i = 0; i < length; ++i) text += kAlphabet[rng() % kAlphabet.size()];
    return text;
  };
  for (int i = 0; i < 3000; ++i) {
    const Json state = {{"Type", "Pass"},
                        {"InputPath", random_text()},
                        {"ResultPath", random_text()},
                        {"Parameters", {{"a.$", random_text()}}},
                        {"Next", "C"}};
    const Json choice = {
        {"Type", "Choice"},
        {"Choices",
         Json::array(
             {{{"Variable", random_text()}, {"StringEqualsPath", random_text()}, {"Next", "X"}}})},
        {"Default", "X"}};
    const Json definition = {{"StartAt", "X"}, {"States", {{"X", state}, {"C", choice}}}};
    ValidateDefinition(definition, ValidationOptions{});
  }
}

}  // namespace
}  // namespace flowstate::asl

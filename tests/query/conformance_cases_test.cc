// Runs the AWS-recorded conformance cases whose definitions are simple enough to evaluate
// with the query module alone: a single Pass state with Parameters (intrinsic_functions,
// base json_path_* and invalid-path scenarios), a Fail state with ErrorPath/CausePath, and
// Choice states whose branches are Pass states with a constant Result (choice_operators).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/rng.h"
#include "json/json.h"
#include "query/choice_rule.h"
#include "query/json_path.h"
#include "query/payload_template.h"
#include "query/result_path.h"

namespace flowstate::query {
namespace {

namespace fs = std::filesystem;
using json::Json;

constexpr std::string_view kPrefixEnd = "). ";  // end of "(entered at the event id #N). "

fs::path CasesDir() { return fs::path(FS_SOURCE_DIR) / ".." / "shared" / "conformance" / "cases"; }

std::vector<fs::path> CaseFiles(std::string_view group) {
  std::vector<fs::path> files;
  const fs::path dir = CasesDir() / group;
  if (!fs::is_directory(dir)) {
    return files;
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Json Load(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = json::Parse(text.str());
  EXPECT_TRUE(parsed.has_value()) << file;
  return parsed ? *parsed : Json();
}

// The context object as far as these cases use it, with the recordings' placeholders as
// values so that the expected text matches literally.
Json ContextFor(const Json& input, const std::string& state_name) {
  Json context;
  context["State"] = {{"EnteredTime", "date"}, {"Name", state_name}};
  context["Execution"] = {{"Id", "arn:<partition>:states:<region>:111111111111:execution:x"},
                          {"Input", input},
                          {"Name", "<ExecArnPart_0idx>"},
                          {"StartTime", "date"}};
  context["StateMachine"] = {
      {"Id", "arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>"},
      {"Name", "<ArnPart_0idx>"}};
  return context;
}

// Cause without the engine's "An error occurred while executing the state ..." prefix, with
// the recording's input placeholder replaced by the input text.
std::string ExpectedCause(const Json& expected, const Json& input) {
  std::string cause = expected.value("cause", "");
  const size_t prefix = cause.find(kPrefixEnd);
  if (cause.starts_with("An error occurred while executing the state") &&
      prefix != std::string::npos) {
    cause = cause.substr(prefix + kPrefixEnd.size());
  }
  const std::string placeholder = "<json-input:1>";
  const size_t at = cause.find(placeholder);
  if (at != std::string::npos) {
    cause.replace(at, placeholder.size(), json::Dump(input));
  }
  return cause;
}

bool MatchesExpected(const Json& actual, const Json& expected) {
  // "RandomNumberGenerated" stands for any number in the MathRandom recordings.
  if (expected.is_string() && expected.get<std::string>() == "RandomNumberGenerated") {
    return actual.is_number_integer();
  }
  if (expected.is_object() && actual.is_object() && expected.size() == actual.size()) {
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key) || !MatchesExpected(actual[key], value)) {
        return false;
      }
    }
    return true;
  }
  return actual == expected;
}

// Single-Pass-state cases: Parameters evaluated against the input.
int RunPassCase(const Json& test_case, const fs::path& file) {
  const Json& states = test_case["definition"]["States"];
  if (states.size() != 1) {
    return 0;
  }
  const Json& state = states.begin().value();
  const std::string state_name = states.begin().key();
  if (state.value("Type", "") != "Pass" || !state.contains("Parameters") ||
      state.contains("QueryLanguage")) {
    return 0;
  }
  const Json& input = test_case["input"];
  const Json context = ContextFor(input, state_name);
  base::Rng rng(7);
  EvalContext ctx{&input, &context, nullptr, &rng};
  auto tmpl = PayloadTemplate::Compile(state["Parameters"]);
  EXPECT_TRUE(tmpl.has_value()) << file << ": " << tmpl.error().message();
  if (!tmpl) {
    return 1;
  }
  auto output = tmpl->Evaluate(ctx);
  const Json& expected = test_case["expected"];
  if (expected["status"] == "SUCCEEDED") {
    EXPECT_TRUE(output.has_value()) << file << ": " << output.error().cause;
    if (output) {
      EXPECT_TRUE(MatchesExpected(*output, expected["output"]))
          << file << "\n actual:   " << json::Dump(*output)
          << "\n expected: " << json::Dump(expected["output"]);
    }
  } else {
    EXPECT_FALSE(output.has_value()) << file;
    if (!output) {
      EXPECT_EQ(output.error().error, expected.value("error", ""));
      EXPECT_EQ(output.error().cause, ExpectedCause(expected, input)) << file;
    }
  }
  return 1;
}

// Fail states with ErrorPath / CausePath (reached directly or after one constant Pass).
int RunFailCase(const Json& test_case, const fs::path& file) {
  const Json& states = test_case["definition"]["States"];
  Json input = test_case["input"];
  const Json* fail = nullptr;
  std::string fail_name;
  for (const auto& [name, state] : states.items()) {
    if (state.value("Type", "") == "Fail") {
      fail = &state;
      fail_name = name;
    } else if (state.value("Type", "") == "Pass" && state.contains("Parameters") &&
               state["Parameters"].is_object() && !state.contains("QueryLanguage")) {
      auto tmpl = PayloadTemplate::Compile(state["Parameters"]);
      if (!tmpl || !tmpl->IsConstant()) {
        return 0;
      }
      input = *tmpl->Evaluate(EvalContext{&input, nullptr, nullptr, nullptr});
    } else {
      return 0;
    }
  }
  if (fail == nullptr || (!fail->contains("ErrorPath") && !fail->contains("CausePath"))) {
    return 0;
  }
  const Json& expected = test_case["expected"];
  const Json context = ContextFor(test_case["input"], fail_name);
  EvalContext ctx{&input, &context, nullptr, nullptr};
  std::string error = fail->value("Error", "");
  std::string cause = fail->value("Cause", "");
  base::AslError failure;
  for (const char* field : {"ErrorPath", "CausePath"}) {
    if (!fail->contains(field)) {
      continue;
    }
    auto value = DynamicValue::Compile((*fail)[field].get<std::string>());
    EXPECT_TRUE(value.has_value()) << file;
    auto result = value->Evaluate(ctx, field);
    if (!result) {
      failure = result.error();
      break;
    }
    (std::string_view(field) == "ErrorPath" ? error : cause) = result->get<std::string>();
  }
  if (!failure.error.empty()) {
    EXPECT_EQ(failure.error, expected.value("error", "")) << file;
    EXPECT_EQ(failure.cause, ExpectedCause(expected, input)) << file;
  } else {
    EXPECT_EQ(error, expected.value("error", "")) << file;
    EXPECT_EQ(cause, expected.value("cause", "")) << file;
  }
  return 1;
}

TEST(ConformanceCasesTest, IntrinsicFunctions) {
  const auto files = CaseFiles("intrinsic_functions");
  if (files.empty()) {
    GTEST_SKIP() << "no conformance cases at " << CasesDir();
  }
  int ran = 0;
  for (const auto& file : files) {
    const Json test_case = Load(file);
    if (test_case.value("kind", "") == "execution") {
      ran += RunPassCase(test_case, file);
    }
  }
  // Every JSONPath-mode case of the group is a single Pass state.
  EXPECT_GE(ran, 90);
}

TEST(ConformanceCasesTest, JsonPathAndTemplateScenarios) {
  if (CaseFiles("base").empty()) {
    GTEST_SKIP() << "no conformance cases at " << CasesDir();
  }
  int ran = 0;
  for (const char* group : {"base", "scenarios", "context_object"}) {
    for (const auto& file : CaseFiles(group)) {
      const Json test_case = Load(file);
      if (test_case.value("kind", "") != "execution" || !test_case.contains("definition") ||
          !test_case["definition"].is_object()) {
        continue;
      }
      ran += RunPassCase(test_case, file);
      ran += RunFailCase(test_case, file);
    }
  }
  EXPECT_GE(ran, 15);
}

// The state a Choice state leads to for `input`, or "ERROR:<cause>".
std::string RunChoice(const Json& choice, const Json& input, const fs::path& file) {
  EvalContext ctx{&input, nullptr, nullptr, nullptr};
  for (const Json& rule_json : choice["Choices"]) {
    auto rule = ChoiceRule::Compile(rule_json);
    EXPECT_TRUE(rule.has_value()) << file << ": " << rule.error().message();
    if (!rule) {
      return "COMPILE-ERROR";
    }
    auto matched = rule->Evaluate(ctx);
    if (!matched) {
      return "ERROR:" + matched.error().cause;
    }
    if (*matched) {
      return rule_json["Next"].get<std::string>();
    }
  }
  return choice.value("Default", "NO-MATCH");
}

TEST(ConformanceCasesTest, ChoiceOperators) {
  const auto files = CaseFiles("choice_operators");
  if (files.empty()) {
    GTEST_SKIP() << "no conformance cases at " << CasesDir();
  }
  int ran = 0;
  for (const auto& file : files) {
    const Json test_case = Load(file);
    const Json& states = test_case["definition"]["States"];
    const Json* choice = nullptr;
    for (const auto& [name, state] : states.items()) {
      if (state.value("Type", "") == "Choice") {
        choice = &state;
      }
    }
    ASSERT_NE(choice, nullptr) << file;
    const std::string next = RunChoice(*choice, test_case["input"], file);
    const Json& expected = test_case["expected"];
    if (expected["status"] != "SUCCEEDED") {
      EXPECT_EQ(next, "ERROR:" + ExpectedCause(expected, test_case["input"])) << file;
    } else {
      ASSERT_TRUE(states.contains(next)) << file << ": went to " << next;
      EXPECT_EQ(states[next]["Result"], expected["output"]) << file << ": went to " << next;
    }
    ++ran;
  }
  EXPECT_EQ(ran, static_cast<int>(files.size()));
}

}  // namespace
}  // namespace flowstate::query

namespace flowstate::query {
namespace {

// Compiles every JSONPath-mode field of `states` (recursing into Parallel branches and Map
// processors); returns the failures as "state/field: message".
void CompileStates(const Json& states, bool jsonata_default, std::vector<std::string>& failures,
                   int& compiled) {
  for (const auto& [name, state] : states.items()) {
    const bool jsonata =
        state.value("QueryLanguage", jsonata_default ? "JSONata" : "JSONPath") == "JSONata";
    auto check = [&](std::string_view field, const auto& result) {
      if (result) {
        ++compiled;
      } else {
        failures.push_back(name + "/" + std::string(field) + ": " + result.error().message());
      }
    };
    if (!jsonata) {
      for (const char* field : {"InputPath", "OutputPath", "ItemsPath"}) {
        if (state.contains(field) && state[field].is_string()) {
          auto path = JsonPath::Parse(state[field].get<std::string>());
          check(field, path);
        }
      }
      for (const char* field : {"Parameters", "ResultSelector", "ItemSelector"}) {
        if (state.contains(field)) {
          auto tmpl = PayloadTemplate::Compile(state[field]);
          check(field, tmpl);
        }
      }
      for (const char* field : {"ErrorPath", "CausePath"}) {
        if (state.contains(field) && state[field].is_string()) {
          auto value = DynamicValue::Compile(state[field].get<std::string>());
          check(field, value);
        }
      }
      if (state.contains("ResultPath")) {
        auto result_path = ResultPath::Compile(state["ResultPath"]);
        check("ResultPath", result_path);
      }
      if (state.value("Type", "") == "Choice" && state.contains("Choices")) {
        for (const Json& rule : state["Choices"]) {
          if (rule.contains("Condition")) {
            continue;
          }
          auto compiled_rule = ChoiceRule::Compile(rule);
          check("Choices", compiled_rule);
        }
      }
    }
    if (state.contains("Branches")) {
      for (const Json& branch : state["Branches"]) {
        CompileStates(branch["States"], jsonata, failures, compiled);
      }
    }
    for (const char* processor : {"ItemProcessor", "Iterator"}) {
      if (state.contains(processor)) {
        CompileStates(state[processor]["States"], jsonata, failures, compiled);
      }
    }
  }
}

TEST(ConformanceCasesTest, EveryAcceptedDefinitionCompiles) {
  if (!fs::is_directory(CasesDir())) {
    GTEST_SKIP() << "no conformance cases at " << CasesDir();
  }
  int compiled = 0;
  for (const auto& group : fs::directory_iterator(CasesDir())) {
    for (const auto& file : CaseFiles(group.path().filename().string())) {
      const Json test_case = Load(file);
      if (test_case.value("kind", "") != "execution" || !test_case.contains("definition") ||
          !test_case["definition"].is_object()) {
        continue;
      }
      const Json& definition = test_case["definition"];
      std::vector<std::string> failures;
      CompileStates(definition["States"], definition.value("QueryLanguage", "") == "JSONata",
                    failures, compiled);
      for (const auto& failure : failures) {
        ADD_FAILURE() << file << ": " << failure;
      }
    }
  }
  EXPECT_GT(compiled, 300);
}

}  // namespace
}  // namespace flowstate::query

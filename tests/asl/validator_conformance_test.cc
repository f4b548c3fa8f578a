// Checks the validator against AWS's recorded answers in the shared conformance corpus:
// every create_error and validate case must match exactly, and no execution case's
// definition may be refused (no false positives).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asl/definition.h"
#include "json/json.h"

namespace flowstate::asl {
namespace {

namespace fs = std::filesystem;
using json::Json;

const fs::path kCasesDir = fs::path(FS_SOURCE_DIR) / ".." / "shared" / "conformance" / "cases";

struct Case {
  std::string name;
  Json data;
};

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  std::error_code error;
  if (!fs::is_directory(kCasesDir, error)) return cases;
  for (const auto& entry : fs::recursive_directory_iterator(kCasesDir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto parsed = json::Parse(buffer.str());
    if (!parsed) continue;
    cases.push_back(
        {entry.path().parent_path().filename().string() + "/" + entry.path().filename().string(),
         std::move(*parsed)});
  }
  std::sort(cases.begin(), cases.end(),
            [](const Case& a, const Case& b) { return a.name < b.name; });
  return cases;
}

// The definition as AWS received it: raw text when the case kept it, else compact JSON.
std::string DefinitionText(const Json& data) {
  if (data.contains("definition_text")) return data["definition_text"].get<std::string>();
  return json::Dump(data["definition"]);
}

ValidationOptions OptionsFor(const Json& data) {
  ValidationOptions options;
  options.express = data.value("type", "STANDARD") == "EXPRESS";
  return options;
}

Json ToJson(const std::vector<Diagnostic>& diagnostics) {
  Json out = Json::array();
  for (const Diagnostic& d : diagnostics) {
    Json item = {{"code", d.code}, {"message", d.message}, {"severity", d.severity}};
    if (!d.location.empty()) item["location"] = d.location;
    out.push_back(item);
  }
  return out;
}

Json Normalized(const Json& expected) {
  Json out = Json::array();
  for (const Json& d : expected) {
    Json item = {{"code", d["code"]}, {"message", d["message"]}, {"severity", d["severity"]}};
    if (d.contains("location")) item["location"] = d["location"];
    out.push_back(item);
  }
  return out;
}

TEST(ValidatorConformanceTest, CreateErrorAndValidateCasesMatchAws) {
  const std::vector<Case> cases = LoadCases();
  if (cases.empty()) GTEST_SKIP() << "no conformance corpus at " << kCasesDir;
  int checked = 0;
  for (const Case& c : cases) {
    const std::string kind = c.data.value("kind", "");
    if (kind != "create_error" && kind != "validate") continue;
    ++checked;
    const auto diagnostics = ValidateDefinitionText(DefinitionText(c.data), OptionsFor(c.data));
    const Json& expected = c.data["expected"];
    if (kind == "create_error") {
      ASSERT_EQ(expected["create_error"], "InvalidDefinition") << c.name;
      EXPECT_EQ(FormatInvalidDefinitionMessage(diagnostics), expected["message"].get<std::string>())
          << c.name;
    } else {
      EXPECT_EQ(diagnostics.empty() ? "OK" : "FAIL", expected["result"].get<std::string>())
          << c.name;
      EXPECT_EQ(ToJson(diagnostics), Normalized(expected["diagnostics"])) << c.name;
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(ValidatorConformanceTest, ExecutionCaseDefinitionsAreAccepted) {
  const std::vector<Case> cases = LoadCases();
  if (cases.empty()) GTEST_SKIP() << "no conformance corpus at " << kCasesDir;
  int checked = 0;
  for (const Case& c : cases) {
    if (c.data.value("kind", "") != "execution") continue;
    ++checked;
    const auto diagnostics = ValidateDefinitionText(DefinitionText(c.data), OptionsFor(c.data));
    EXPECT_TRUE(diagnostics.empty())
        << c.name << ": " << FormatInvalidDefinitionMessage(diagnostics);
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace flowstate::asl

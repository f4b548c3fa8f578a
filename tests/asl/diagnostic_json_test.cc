#include <gtest/gtest.h>

#include "asl/definition.h"
#include "json/json.h"

namespace flowstate::asl {
namespace {

TEST(DiagnosticJsonTest, KeepsLocationWhenPresent) {
  const json::Json out = DiagnosticToJson(
      {"ERROR", "MISSING_TRANSITION_TARGET", "Missing 'Next' target: B", "/States/A/Next"});
  EXPECT_EQ(out["location"], "/States/A/Next");
  EXPECT_EQ(out["code"], "MISSING_TRANSITION_TARGET");
}

TEST(DiagnosticJsonTest, OmitsEmptyLocationAsAwsDoes) {
  const auto diagnostics =
      ValidateDefinitionText(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A"}}})", {});
  ASSERT_FALSE(diagnostics.empty());
  bool saw_unlocated = false;
  for (const auto& diagnostic : diagnostics) {
    if (diagnostic.location.empty()) {
      saw_unlocated = true;
      EXPECT_FALSE(DiagnosticToJson(diagnostic).contains("location"));
    }
  }
  EXPECT_TRUE(saw_unlocated);
}

}  // namespace
}  // namespace flowstate::asl

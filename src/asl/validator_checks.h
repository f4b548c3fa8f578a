// Field checks shared by the schema rules (validator_schema.cc, validator_retry.cc,
// validator_choice.cc). Each failed check reports SCHEMA_VALIDATION_FAILED with AWS's wording.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "asl/validator.h"
#include "json/json_fwd.h"

namespace flowstate::asl {

inline constexpr int64_t kMaxSeconds = 99999999;  // AWS: "Maximum value is 99999999"

// "[A, B]", as AWS lists field names.
std::string JoinFields(const std::vector<std::string_view>& fields);
// "/States/X/Retry[0]": AWS writes array items with brackets, not as pointer segments.
std::string Indexed(const std::string& location, std::string_view field, size_t index);
bool StartsWith(std::string_view text, std::string_view prefix);
bool EndsWith(std::string_view text, std::string_view suffix);

class FieldChecker {
 public:
  explicit FieldChecker(DiagnosticSink& sink) : sink_(sink) {}

 protected:
  void Error(std::string message, std::string location);

  // "Expected value of type [STRING]" and friends; true when the type is right.
  bool ExpectType(const std::string& location, bool ok, std::string_view type_name);
  bool ExpectString(const json::Json& value, const std::string& location);
  bool ExpectObject(const json::Json& value, const std::string& location);
  bool ExpectArray(const json::Json& value, const std::string& location);
  bool ExpectBoolean(const json::Json& value, const std::string& location);

  // An integer in [min, max]; a JSONata state may give a "{% %}" expression instead.
  void CheckInteger(const json::Json& value, const std::string& location, int64_t min, int64_t max,
                    bool allow_expression);
  // A JSONPath (or reference path) string; `nullable` admits JSON null.
  void CheckPathField(const json::Json& value, std::string_view field, const std::string& location,
                      bool reference, bool nullable);
  // Parameters, ResultSelector, ItemSelector, Assign (JSONPath): `.$` keys hold paths.
  void CheckPayloadTemplate(const json::Json& value, const std::string& location, int depth);
  // An Assign object (a state's, a Catcher's or a Choice rule's): an object whose keys are
  // valid variable names (in JSONPath, before a `.$` suffix), and a payload template in
  // JSONPath.
  void CheckAssign(const json::Json& value, const std::string& location, bool jsonata);

  DiagnosticSink& sink_;
};

// The variable an Assign key sets: the key without a JSONPath `.$` suffix.
std::string AssignedName(std::string_view key, bool jsonata);
// Why `name` cannot be a variable name (AWS: at most 80 characters, a Unicode identifier,
// `states` reserved), or empty when it can.
std::string VariableNameProblem(std::string_view name);
inline constexpr size_t kMaxVariableNameLength = 80;

// Retry and Catch arrays of a state at `state_location`.
void CheckRetriers(const json::Json& value, const std::string& state_location,
                   DiagnosticSink& sink);
void CheckCatchers(const json::Json& value, const std::string& state_location, bool jsonata,
                   DiagnosticSink& sink);

// The Choices array of a Choice state (JSONPath rules or JSONata Condition rules).
void CheckChoices(const json::Json& value, const std::string& state_location, bool jsonata,
                  DiagnosticSink& sink);

}  // namespace flowstate::asl

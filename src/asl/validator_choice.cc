// Choice rules: JSONPath rules (Variable + one comparator, And/Or/Not) and JSONata rules
// (Condition), then the engine's own rule compiler as the last gate.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "asl/validator_checks.h"
#include "asl/validator_paths.h"
#include "json/json.h"
#include "query/choice_rule.h"

namespace flowstate::asl {
namespace {

using json::Json;

constexpr int kMaxRuleDepth = 256;  // Choice And/Or/Not nesting

class ChoiceChecker : public FieldChecker {
 public:
  using FieldChecker::FieldChecker;

  void CheckChoices(const Json& value, const std::string& state_location, bool jsonata) {
    const std::string location = state_location + "/Choices";
    if (!ExpectArray(value, location)) return;
    if (value.empty()) {
      Error("The field 'Choices' must have at least one element", location);
      return;
    }
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string rule_location = Indexed(state_location, "Choices", i);
      if (jsonata) {
        CheckJsonataRule(value[i], rule_location);
        continue;
      }
      const size_t before = sink_.size();
      CheckRule(value[i], rule_location, true, 0);
      if (sink_.size() == before) {
        if (auto compiled = query::ChoiceRule::Compile(value[i]); !compiled) {
          Error(compiled.error().message(), rule_location);
        }
      }
    }
  }

  void CheckJsonataRule(const Json& rule, const std::string& location) {
    if (!ExpectObject(rule, location)) return;
    std::vector<std::string_view> missing;
    if (!rule.contains("Condition")) missing.push_back("Condition");
    if (!rule.contains("Next")) missing.push_back("Next");
    if (!missing.empty()) Error("These fields are required: " + JoinFields(missing), location);
    for (const auto& [key, field] : rule.items()) {
      const std::string field_location = location + "/" + key;
      if (key == "Next" || key == "Comment") {
        ExpectString(field, field_location);
      } else if (key == "Condition") {
        if (!(field.is_boolean() ||
              (field.is_string() && IsJsonataExpression(field.get_ref<const std::string&>())))) {
          Error("The value for the field 'Condition' must be a JSONata expression or a boolean",
                field_location);
        }
      } else if (key == "Assign") {
        CheckAssign(field, field_location, true);
      } else if (key == "Output") {
        continue;
      } else if (key == "Variable" || key == "And" || key == "Or" || key == "Not" ||
                 ComparatorKind(key) != ValueKind::kNone) {
        Error("The QueryLanguage is set to 'JSONata', but field '" + key +
                  "' is only supported for the 'JSONPath' QueryLanguage",
              location);
      } else {
        Error("Field '" + key + "' is not supported", location);
      }
    }
  }

  enum class ValueKind { kNone, kString, kNumber, kBoolean, kTimestamp, kPath, kTypeTest };

  static ValueKind ComparatorKind(std::string_view key) {
    if (key == "StringMatches") return ValueKind::kString;
    if (StartsWith(key, "Is")) {
      static constexpr std::array<std::string_view, 6> kTests = {
          "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"};
      return std::find(kTests.begin(), kTests.end(), key) != kTests.end() ? ValueKind::kTypeTest
                                                                          : ValueKind::kNone;
    }
    static constexpr std::array<std::string_view, 4> kPrefixes = {"String", "Numeric", "Boolean",
                                                                  "Timestamp"};
    static constexpr std::array<std::string_view, 5> kOps = {"Equals", "LessThan", "GreaterThan",
                                                             "LessThanEquals", "GreaterThanEquals"};
    for (size_t p = 0; p < kPrefixes.size(); ++p) {
      if (!StartsWith(key, kPrefixes[p])) continue;
      std::string_view rest = key.substr(kPrefixes[p].size());
      const bool is_path = EndsWith(rest, "Path");
      if (is_path) rest.remove_suffix(4);
      const bool boolean = p == 2;
      const bool known_op =
          boolean ? rest == "Equals" : std::find(kOps.begin(), kOps.end(), rest) != kOps.end();
      if (!known_op) return ValueKind::kNone;
      if (is_path) return ValueKind::kPath;
      static constexpr std::array<ValueKind, 4> kKinds = {
          ValueKind::kString, ValueKind::kNumber, ValueKind::kBoolean, ValueKind::kTimestamp};
      return kKinds[p];
    }
    return ValueKind::kNone;
  }

  void CheckComparatorValue(ValueKind kind, const std::string& key, const Json& value,
                            const std::string& location) {
    switch (kind) {
      case ValueKind::kString:
        ExpectString(value, location);
        break;
      case ValueKind::kNumber:
        ExpectType(location, value.is_number(), "NUMBER");
        break;
      case ValueKind::kBoolean:
      case ValueKind::kTypeTest:
        ExpectBoolean(value, location);
        break;
      case ValueKind::kTimestamp:
        if (ExpectString(value, location) &&
            !IsValidTimestamp(value.get_ref<const std::string&>())) {
          Error("The value for the field '" + key + "' must be a valid timestamp", location);
        }
        break;
      case ValueKind::kPath:
        CheckPathField(value, key, location, true, false);
        break;
      case ValueKind::kNone:
        break;
    }
  }

  void CheckRule(const Json& rule, const std::string& location, bool top_level, int depth) {
    if (!ExpectObject(rule, location)) return;
    if (depth > kMaxRuleDepth) {
      sink_.Error("TOO_DEEPLY_NESTED", "The states are too deeply nested", location);
      return;
    }
    std::vector<std::string_view> comparators;
    bool has_variable = false;
    int combinators = 0;
    if (top_level && !rule.contains("Next")) Error("These fields are required: [Next]", location);
    for (const auto& [key, field] : rule.items()) {
      const std::string field_location = location + "/" + key;
      const ValueKind kind = ComparatorKind(key);
      if (kind != ValueKind::kNone) {
        comparators.push_back(key);
        CheckComparatorValue(kind, key, field, field_location);
      } else if (key == "Variable") {
        has_variable = true;
        CheckPathField(field, key, field_location, true, false);
      } else if (key == "And" || key == "Or") {
        ++combinators;
        if (!ExpectArray(field, field_location)) continue;
        if (field.empty()) {
          Error("The field '" + key + "' must have at least one element", field_location);
        }
        for (size_t i = 0; i < field.size(); ++i) {
          CheckRule(field[i], Indexed(location, key, i), false, depth + 1);
        }
      } else if (key == "Not") {
        ++combinators;
        CheckRule(field, field_location, false, depth + 1);
      } else if ((key == "Next" || key == "Assign") && top_level) {
        if (key == "Next") {
          ExpectString(field, field_location);
        } else {
          CheckAssign(field, field_location, false);
        }
      } else if (key == "Comment") {
        ExpectString(field, field_location);
      } else if (key == "Output" && top_level) {
        Error(
            "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for "
            "the 'JSONata' QueryLanguage",
            location);
      } else if (key == "Condition") {
        Error(
            "The QueryLanguage is set to 'JSONPath', but field 'Condition' is only supported "
            "for the 'JSONata' QueryLanguage",
            location);
      } else {
        Error("Field '" + key + "' is not supported", location);
      }
    }
    if (combinators > 0) {
      if (combinators > 1 || !comparators.empty() || has_variable) {
        Error(
            "A Choice Rule must have exactly one of: a comparison operator, 'And', 'Or' or "
            "'Not'",
            location);
      }
      return;
    }
    if (comparators.empty()) {
      Error("A Choice Rule must have exactly one of: a comparison operator, 'And', 'Or' or 'Not'",
            location);
    } else if (comparators.size() > 1) {
      Error("A Choice Rule must have exactly one of: a comparison operator, 'And', 'Or' or 'Not'",
            location);
    } else if (!has_variable) {
      Error("These fields are required: [Variable]", location);
    }
  }
};

}  // namespace

void CheckChoices(const Json& value, const std::string& state_location, bool jsonata,
                  DiagnosticSink& sink) {
  ChoiceChecker(sink).CheckChoices(value, state_location, jsonata);
}

}  // namespace flowstate::asl

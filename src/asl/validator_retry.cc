// Retry and Catch rules: ErrorEquals, retrier ranges, catcher fields.
#include <string>
#include <string_view>
#include <vector>

#include "asl/validator_checks.h"
#include "json/json.h"

namespace flowstate::asl {
namespace {

using json::Json;

constexpr int64_t kMaxDelaySeconds = 31622400;

class RetryCatchChecker : public FieldChecker {
 public:
  using FieldChecker::FieldChecker;

  // Retry and Catch entries share ErrorEquals; States.ALL must be alone and in the last entry.
  void CheckErrorEquals(const Json& entry, const std::string& location, bool is_last,
                        std::string_view block) {
    const auto it = entry.find("ErrorEquals");
    if (it == entry.end()) return;
    const std::string field = location + "/ErrorEquals";
    if (!ExpectArray(*it, field)) return;
    if (it->empty()) {
      Error("The field 'ErrorEquals' must have at least one element", field);
      return;
    }
    bool has_all = false;
    for (const Json& name : *it) {
      if (!ExpectString(name, field)) return;
      has_all = has_all || name == "States.ALL";
    }
    if (has_all && it->size() > 1) {
      Error("Error name 'States.ALL' must appear alone in 'ErrorEquals'", field);
    } else if (has_all && !is_last) {
      Error("Error name 'States.ALL' must appear in the last " + std::string(block), field);
    }
  }

  void CheckRetriers(const Json& value, const std::string& state_location) {
    const std::string location = state_location + "/Retry";
    if (!ExpectArray(value, location)) return;
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string entry_location = Indexed(state_location, "Retry", i);
      const Json& retrier = value[i];
      if (!ExpectObject(retrier, entry_location)) continue;
      if (!retrier.contains("ErrorEquals")) {
        Error("These fields are required: [ErrorEquals]", entry_location);
      }
      for (const auto& [key, field] : retrier.items()) {
        const std::string field_location = entry_location + "/" + key;
        if (key == "ErrorEquals") continue;
        if (key == "IntervalSeconds") {
          CheckInteger(field, field_location, 1, kMaxSeconds, false);
        } else if (key == "MaxAttempts") {
          CheckInteger(field, field_location, 0, kMaxSeconds, false);
        } else if (key == "MaxDelaySeconds") {
          CheckInteger(field, field_location, 1, kMaxDelaySeconds, false);
        } else if (key == "BackoffRate") {
          if (!field.is_number()) {
            Error("Expected value of type [NUMBER]", field_location);
          } else if (field.get<double>() < 1.0) {
            Error("Minimum value is 1.0", field_location);
          }
        } else if (key == "JitterStrategy") {
          if (ExpectString(field, field_location) && field != "FULL" && field != "NONE") {
            Error("Value should be one of the following: [FULL, NONE]", field_location);
          }
        } else if (key == "Comment") {
          ExpectString(field, field_location);
        } else {
          Error("Field '" + key + "' is not supported", entry_location);
        }
      }
      CheckErrorEquals(retrier, entry_location, i + 1 == value.size(), "Retrier");
    }
  }

  void CheckCatchers(const Json& value, const std::string& state_location, bool jsonata) {
    const std::string location = state_location + "/Catch";
    if (!ExpectArray(value, location)) return;
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string entry_location = Indexed(state_location, "Catch", i);
      const Json& catcher = value[i];
      if (!ExpectObject(catcher, entry_location)) continue;
      std::vector<std::string_view> missing;
      if (!catcher.contains("ErrorEquals")) missing.push_back("ErrorEquals");
      if (!catcher.contains("Next")) missing.push_back("Next");
      if (!missing.empty()) {
        Error("These fields are required: " + JoinFields(missing), entry_location);
      }
      for (const auto& [key, field] : catcher.items()) {
        const std::string field_location = entry_location + "/" + key;
        if (key == "ErrorEquals") continue;
        if (key == "Next" || key == "Comment") {
          ExpectString(field, field_location);
        } else if (key == "ResultPath") {
          if (jsonata) {
            Error(
                "The QueryLanguage is set to 'JSONata', but field 'ResultPath' is only "
                "supported for the 'JSONPath' QueryLanguage",
                entry_location);
          } else {
            CheckPathField(field, key, field_location, true, true);
          }
        } else if (key == "Output") {
          if (!jsonata) {
            Error(
                "The QueryLanguage is set to 'JSONPath', but field 'Output' is only "
                "supported for the 'JSONata' QueryLanguage",
                entry_location);
          }
        } else if (key == "Assign") {
          CheckAssign(field, field_location, jsonata);
        } else {
          Error("Field '" + key + "' is not supported", entry_location);
        }
      }
      CheckErrorEquals(catcher, entry_location, i + 1 == value.size(), "Catcher");
    }
  }
};

}  // namespace

void CheckRetriers(const Json& value, const std::string& state_location, DiagnosticSink& sink) {
  RetryCatchChecker(sink).CheckRetriers(value, state_location);
}

void CheckCatchers(const Json& value, const std::string& state_location, bool jsonata,
                   DiagnosticSink& sink) {
  RetryCatchChecker(sink).CheckCatchers(value, state_location, jsonata);
}

}  // namespace flowstate::asl

// Schema rules of ASL definitions (see validator.h).
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "asl/validator.h"
#include "asl/validator_checks.h"
#include "asl/validator_paths.h"
#include "json/json.h"
#include "query/payload_template.h"

namespace flowstate::asl {
namespace {

using json::Json;

constexpr int kMaxScopeDepth = 64;  // Parallel/Map nesting; AWS: TOO_DEEPLY_NESTED
constexpr size_t kMaxStateNameLength = 80;

enum class Lang { kJsonPath, kJsonata };

// Fields each state type accepts, in the order AWS documents them.
struct TypeSpec {
  std::string_view type;
  std::vector<std::string_view> fields;
  std::vector<std::string_view> required;
  bool needs_transition;  // Next xor End
};

const std::vector<TypeSpec>& TypeSpecs() {
  static const std::vector<TypeSpec> specs = {
      {"Task",
       {"Type",
        "Comment",
        "QueryLanguage",
        "Next",
        "End",
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "Arguments",
        "Output",
        "Assign",
        "Retry",
        "Catch",
        "Resource",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials"},
       {"Resource"},
       true},
      {"Wait",
       {"Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "Output",
        "Assign", "Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
       {},
       true},
      {"Pass",
       {"Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "Parameters",
        "ResultPath", "Result", "Output", "Assign"},
       {},
       true},
      {"Succeed",
       {"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Output"},
       {},
       false},
      {"Fail",
       {"Type", "Comment", "QueryLanguage", "Error", "ErrorPath", "Cause", "CausePath"},
       {},
       false},
      {"Choice",
       {"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Choices", "Default",
        "Output", "Assign"},
       {"Choices"},
       false},
      {"Parallel",
       {"Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "Parameters",
        "ResultSelector", "ResultPath", "Arguments", "Output", "Assign", "Retry", "Catch",
        "Branches"},
       {"Branches"},
       true},
      {"Map",
       {"Type",
        "Comment",
        "QueryLanguage",
        "Next",
        "End",
        "InputPath",
        "OutputPath",
        "Parameters",
        "ItemSelector",
        "ResultSelector",
        "ResultPath",
        "Output",
        "Assign",
        "Retry",
        "Catch",
        "ItemProcessor",
        "Iterator",
        "ItemsPath",
        "Items",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "Label"},
       {},
       true},
  };
  return specs;
}

const TypeSpec* FindSpec(std::string_view type) {
  for (const TypeSpec& spec : TypeSpecs()) {
    if (spec.type == type) return &spec;
  }
  return nullptr;
}

bool Contains(const std::vector<std::string_view>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Fields that exist in only one query language.
bool IsJsonPathOnly(std::string_view field) {
  static constexpr std::array<std::string_view, 16> kFields = {"InputPath",
                                                               "OutputPath",
                                                               "Parameters",
                                                               "ResultSelector",
                                                               "ResultPath",
                                                               "Result",
                                                               "ItemsPath",
                                                               "SecondsPath",
                                                               "TimestampPath",
                                                               "TimeoutSecondsPath",
                                                               "HeartbeatSecondsPath",
                                                               "ErrorPath",
                                                               "CausePath",
                                                               "MaxConcurrencyPath",
                                                               "ToleratedFailureCountPath",
                                                               "ToleratedFailurePercentagePath"};
  return std::find(kFields.begin(), kFields.end(), field) != kFields.end();
}

bool IsJsonataOnly(std::string_view field) {
  return field == "Arguments" || field == "Output" || field == "Items";
}

class SchemaChecker : public FieldChecker {
 public:
  SchemaChecker(const ValidationOptions& options, DiagnosticSink& sink)
      : FieldChecker(sink), options_(options) {}

  void CheckRoot(const Json& root) {
    std::vector<std::string_view> missing;
    if (!root.contains("States")) missing.push_back("States");
    if (!root.contains("StartAt")) missing.push_back("StartAt");
    if (!missing.empty()) {
      Error("These fields are required: " + JoinFields(missing), "/");
    }
    top_lang_ = Lang::kJsonPath;
    if (const auto it = root.find("QueryLanguage"); it != root.end()) {
      if (!(it->is_string() && it->get_ref<const std::string&>() == "JSONPath")) {
        top_lang_ = Lang::kJsonata;
      }
    }
    for (const auto& [key, value] : root.items()) {
      const std::string field = "/" + key;
      if (key == "States") {
        CheckStates(value, "", 0);
      } else if (key == "StartAt" || key == "Comment" || key == "Version") {
        ExpectString(value, field);
      } else if (key == "TimeoutSeconds") {
        CheckInteger(value, field, 1, kMaxSeconds, false);
      } else if (key == "QueryLanguage") {
        CheckQueryLanguageValue(value, field);
      } else {
        Error("Field '" + key + "' is not supported", "/");
      }
    }
  }

 private:
  void CheckQueryLanguageValue(const Json& value, const std::string& location) {
    if (!ExpectString(value, location)) return;
    const auto& text = value.get_ref<const std::string&>();
    if (text != "JSONPath" && text != "JSONata") {
      Error("Value should be one of the following: [JSONPath, JSONata]", location);
    }
  }

  void CheckStates(const Json& states, const std::string& scope, int depth) {
    const std::string location = scope + "/States";
    if (!ExpectObject(states, location)) return;
    for (const auto& [name, state] : states.items()) {
      CheckState(name, state, location + "/" + name, depth);
    }
  }

  // A Parallel branch or Map ItemProcessor/Iterator: {StartAt, States, Comment, ...}.
  void CheckScope(const Json& scope, const std::string& location, bool processor, int depth) {
    if (!ExpectObject(scope, location)) return;
    if (depth > kMaxScopeDepth) {
      sink_.Error("TOO_DEEPLY_NESTED", "The states are too deeply nested", location);
      return;
    }
    std::vector<std::string_view> missing;
    if (!scope.contains("States")) missing.push_back("States");
    if (!scope.contains("StartAt")) missing.push_back("StartAt");
    if (!missing.empty()) Error("These fields are required: " + JoinFields(missing), location);
    for (const auto& [key, value] : scope.items()) {
      if (key == "States") {
        CheckStates(value, location, depth);
      } else if (key == "StartAt" || key == "Comment") {
        ExpectString(value, location + "/" + key);
      } else if (key == "ProcessorConfig" && processor) {
        CheckProcessorConfig(value, location + "/" + key);
      } else {
        Error("Field '" + key + "' is not supported", location);
      }
    }
  }

  void CheckProcessorConfig(const Json& config, const std::string& location) {
    if (!ExpectObject(config, location)) return;
    for (const auto& [key, value] : config.items()) {
      const std::string field = location + "/" + key;
      if (key == "Mode") {
        if (ExpectString(value, field) && value != "INLINE" && value != "DISTRIBUTED") {
          Error("Value should be one of the following: [INLINE, DISTRIBUTED]", field);
        }
      } else if (key == "ExecutionType") {
        if (ExpectString(value, field) && value != "STANDARD" && value != "EXPRESS") {
          Error("Value should be one of the following: [STANDARD, EXPRESS]", field);
        }
      } else {
        Error("Field '" + key + "' is not supported", location);
      }
    }
  }

  Lang StateLang(const Json& state) const {
    const auto it = state.find("QueryLanguage");
    if (it == state.end()) return top_lang_;
    if (it->is_string() && it->get_ref<const std::string&>() == "JSONPath") return Lang::kJsonPath;
    return Lang::kJsonata;
  }

  void CheckState(const std::string& name, const Json& state, const std::string& location,
                  int depth) {
    if (name.empty()) {
      sink_.Error("INVALID_STATE_NAME", "State name cannot be empty", location);
    } else if (name.size() > kMaxStateNameLength && Utf16Length(name) > kMaxStateNameLength) {
      sink_.Error("INVALID_STATE_NAME",
                  "State name exceeds the maximum length of " +
                      std::to_string(kMaxStateNameLength) + " characters",
                  location);
    }
    if (!ExpectObject(state, location)) return;
    const auto type_it = state.find("Type");
    if (type_it == state.end()) {
      Error("These fields are required: [Type]", location);
      return;
    }
    if (!ExpectString(*type_it, location + "/Type")) return;
    const TypeSpec* spec = FindSpec(type_it->get_ref<const std::string&>());
    if (spec == nullptr) {
      Error(
          "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, "
          "Choice, Parallel, Map]",
          location + "/Type");
      return;
    }
    const Lang lang = StateLang(state);
    bool downgraded = false;
    if (top_lang_ == Lang::kJsonata) {
      const auto it = state.find("QueryLanguage");
      if (it != state.end() && it->is_string() && it->get_ref<const std::string&>() == "JSONPath") {
        Error("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
              location);
        downgraded = true;
      }
    }
    std::vector<std::string_view> missing;
    for (std::string_view field : spec->required) {
      if (!state.contains(field)) missing.push_back(field);
    }
    if (spec->type == "Map" && !state.contains("ItemProcessor") && !state.contains("Iterator")) {
      missing.push_back("ItemProcessor");
    }
    if (!missing.empty()) Error("These fields are required: " + JoinFields(missing), location);

    for (const auto& [key, value] : state.items()) {
      if (!Contains(spec->fields, key)) {
        Error("Field '" + key + "' is not supported", location);
      } else if (!downgraded && lang == Lang::kJsonata && IsJsonPathOnly(key)) {
        Error("The QueryLanguage is set to 'JSONata', but field '" + key +
                  "' is only supported for the 'JSONPath' QueryLanguage",
              location);
      } else if (!downgraded && lang == Lang::kJsonPath && IsJsonataOnly(key)) {
        Error("The QueryLanguage is set to 'JSONPath', but field '" + key +
                  "' is only supported for the 'JSONata' QueryLanguage",
              location);
      }
    }
    if (spec->needs_transition) CheckTransition(state, location);
    CheckExclusive(state, location, {"Error", "ErrorPath"});
    CheckExclusive(state, location, {"Cause", "CausePath"});
    CheckExclusive(state, location, {"TimeoutSeconds", "TimeoutSecondsPath"});
    CheckExclusive(state, location, {"HeartbeatSeconds", "HeartbeatSecondsPath"});
    if (spec->type == "Wait") CheckWaitDuration(state, location);
    if (spec->type == "Map")
      CheckExclusive(state, location, {"MaxConcurrency", "MaxConcurrencyPath"});

    for (const auto& [key, value] : state.items()) {
      if (!Contains(spec->fields, key)) continue;
      CheckField(lang, key, value, location, depth);
    }
    if (spec->type == "Task") CheckHeartbeat(state, location);
  }

  static size_t Utf16Length(std::string_view text) {
    size_t units = 0;
    for (unsigned char byte : text) {
      if ((byte & 0xC0) != 0x80) units += byte >= 0xF0 ? 2 : 1;
    }
    return units;
  }

  void CheckTransition(const Json& state, const std::string& location) {
    const bool has_next = state.contains("Next");
    const auto end_it = state.find("End");
    const bool has_end = end_it != state.end();
    const bool end_true = has_end && end_it->is_boolean() && end_it->get<bool>();
    if (has_next && end_true) {
      Error("Only one of these fields can be specified: [Next, End]", location);
    } else if (!has_next && !end_true && !(has_end && !end_it->is_boolean())) {
      Error("These fields are required: [Next]", location);
    }
  }

  void CheckExclusive(const Json& state, const std::string& location,
                      std::initializer_list<std::string_view> fields) {
    std::vector<std::string_view> present;
    for (std::string_view field : fields) {
      if (state.contains(field)) present.push_back(field);
    }
    if (present.size() > 1) {
      Error("Only one of these fields can be specified: " + JoinFields(present), location);
    }
  }

  void CheckWaitDuration(const Json& state, const std::string& location) {
    static const std::vector<std::string_view> kFields = {"Seconds", "Timestamp", "SecondsPath",
                                                          "TimestampPath"};
    std::vector<std::string_view> present;
    for (std::string_view field : kFields) {
      if (state.contains(field)) present.push_back(field);
    }
    if (present.empty()) {
      Error("Exactly one of these fields is required: " + JoinFields(kFields), location);
    } else if (present.size() > 1) {
      Error("Only one of these fields can be specified: " + JoinFields(present), location);
    }
  }

  void CheckHeartbeat(const Json& state, const std::string& location) {
    const auto timeout = state.find("TimeoutSeconds");
    const auto heartbeat = state.find("HeartbeatSeconds");
    if (timeout == state.end() || heartbeat == state.end()) return;
    if (!timeout->is_number_integer() || !heartbeat->is_number_integer()) return;
    if (heartbeat->get<int64_t>() >= timeout->get<int64_t>()) {
      Error("HeartbeatSeconds must be smaller than TimeoutSeconds", location + "/HeartbeatSeconds");
    }
  }

  void CheckField(Lang lang, const std::string& key, const Json& value,
                  const std::string& state_location, int depth) {
    const std::string location = state_location + "/" + key;
    const bool jsonata = lang == Lang::kJsonata;
    if (key == "Type") return;
    if (key == "Comment" || key == "Next" || key == "Default" || key == "Label") {
      ExpectString(value, location);
    } else if (key == "QueryLanguage") {
      CheckQueryLanguageValue(value, location);
    } else if (key == "End") {
      ExpectBoolean(value, location);
    } else if (key == "InputPath" || key == "OutputPath" || key == "ItemsPath") {
      if (!jsonata) CheckPathField(value, key, location, false, key != "ItemsPath");
    } else if (key == "ResultPath") {
      if (!jsonata) CheckPathField(value, key, location, true, true);
    } else if (key == "SecondsPath" || key == "TimestampPath" || key == "TimeoutSecondsPath" ||
               key == "HeartbeatSecondsPath" || key == "MaxConcurrencyPath" ||
               key == "ToleratedFailureCountPath" || key == "ToleratedFailurePercentagePath") {
      if (!jsonata) CheckPathField(value, key, location, true, false);
    } else if (key == "ErrorPath" || key == "CausePath") {
      if (!jsonata &&
          !(value.is_string() && IsValidPayloadPath(value.get_ref<const std::string&>()))) {
        if (ExpectString(value, location)) {
          Error("The value for the field '" + key +
                    "' must be a valid JSONPath or a valid intrinsic function call",
                location);
        }
      }
    } else if (key == "Parameters" || key == "ResultSelector" || key == "ItemSelector") {
      if (!jsonata && ExpectObject(value, location)) {
        const size_t before = sink_.size();
        CheckPayloadTemplate(value, location, 0);
        // The engine compiles the same template; refuse here whatever it would refuse.
        if (sink_.size() == before) {
          if (auto compiled = query::PayloadTemplate::Compile(value); !compiled) {
            Error(compiled.error().message(), location);
          }
        }
      }
    } else if (key == "Assign") {
      CheckAssign(value, location, jsonata);
    } else if (key == "Error" || key == "Cause") {
      ExpectString(value, location);
    } else if (key == "Resource") {
      CheckResource(value, location);
    } else if (key == "TimeoutSeconds" || key == "HeartbeatSeconds") {
      CheckInteger(value, location, 1, kMaxSeconds, jsonata);
    } else if (key == "Seconds") {
      CheckInteger(value, location, 0, kMaxSeconds, jsonata);
    } else if (key == "Timestamp") {
      CheckTimestamp(value, location, jsonata);
    } else if (key == "Credentials") {
      CheckCredentials(value, location);
    } else if (key == "Retry") {
      CheckRetriers(value, state_location, sink_);
    } else if (key == "Catch") {
      CheckCatchers(value, state_location, jsonata, sink_);
    } else if (key == "Choices") {
      CheckChoices(value, state_location, jsonata, sink_);
    } else if (key == "Branches") {
      if (!ExpectArray(value, location)) return;
      if (value.empty()) Error("The field 'Branches' must have at least one element", location);
      for (size_t i = 0; i < value.size(); ++i) {
        CheckScope(value[i], Indexed(state_location, key, i), false, depth + 1);
      }
    } else if (key == "ItemProcessor" || key == "Iterator") {
      CheckScope(value, location, true, depth + 1);
    } else if (key == "MaxConcurrency" || key == "ToleratedFailureCount") {
      CheckInteger(value, location, 0, INT64_MAX, jsonata);
    } else if (key == "ToleratedFailurePercentage") {
      CheckPercentage(value, location, jsonata);
    } else if (key == "Items") {
      if (!(value.is_array() || value.is_string())) {
        Error("Expected value of type [ARRAY, STRING]", location);
      }
    } else if (key == "ItemReader" || key == "ItemBatcher" || key == "ResultWriter") {
      ExpectObject(value, location);
    }
  }

  void CheckTimestamp(const Json& value, const std::string& location, bool jsonata) {
    if (!ExpectString(value, location)) return;
    const auto& text = value.get_ref<const std::string&>();
    if (jsonata && IsJsonataExpression(text)) return;
    if (!IsValidTimestamp(text)) {
      Error("The value for the field 'Timestamp' must be a valid timestamp", location);
    }
  }

  void CheckPercentage(const Json& value, const std::string& location, bool jsonata) {
    if (jsonata && value.is_string() && IsJsonataExpression(value.get_ref<const std::string&>())) {
      return;
    }
    if (!value.is_number()) {
      Error("Expected value of type [NUMBER]", location);
      return;
    }
    const double number = value.get<double>();
    if (number < 0) {
      Error("Minimum value is 0", location);
    } else if (number > 100) {
      Error("Maximum value is 100", location);
    }
  }

  void CheckResource(const Json& value, const std::string& location) {
    if (!ExpectString(value, location)) return;
    const auto& resource = value.get_ref<const std::string&>();
    if (!StartsWith(resource, "arn:")) {
      Error("The resource provided " + resource +
                " is not recognized. The value is not a valid resource ARN, or the resource is "
                "not available in this region.",
            location);
      return;
    }
    if (!options_.express) return;
    if (IsActivityArn(resource)) {
      Error("Express state machine does not support Activity ARN", location);
    } else if (EndsWith(resource, ".sync") || EndsWith(resource, ".sync:2")) {
      Error("Express state machine does not support '.sync' service integration ", location);
    } else if (EndsWith(resource, ".waitForTaskToken")) {
      Error("Express state machine does not support '.waitForTaskToken' service integration ",
            location);
    }
  }

  static bool IsActivityArn(std::string_view resource) {
    // arn:<partition>:states:<region>:<account>:activity:<name>
    size_t pos = 0;
    std::array<std::string_view, 6> parts{};
    for (size_t i = 0; i < parts.size(); ++i) {
      const size_t colon = resource.find(':', pos);
      if (colon == std::string_view::npos) return false;
      parts[i] = resource.substr(pos, colon - pos);
      pos = colon + 1;
    }
    return parts[2] == "states" && parts[5] == "activity";
  }

  void CheckCredentials(const Json& value, const std::string& location) {
    if (!ExpectObject(value, location)) return;
    if (!value.contains("RoleArn") && !value.contains("RoleArn.$")) {
      Error("The field 'RoleArn' is required but was missing", location);
    }
    for (const auto& [key, field] : value.items()) {
      if (key == "RoleArn") {
        ExpectString(field, location + "/" + key);
      } else if (key == "RoleArn.$") {
        if (ExpectString(field, location + "/" + key) &&
            !IsValidPayloadPath(field.get_ref<const std::string&>())) {
          Error("The value for the field 'RoleArn.$' must be a valid JSONPath", location);
        }
      } else {
        Error("Field '" + key + "' is not supported", location);
      }
    }
  }

  const ValidationOptions& options_;
  Lang top_lang_ = Lang::kJsonPath;
};

}  // namespace

void CheckDefinitionSchema(const Json& definition, const ValidationOptions& options,
                           DiagnosticSink& sink) {
  SchemaChecker(options, sink).CheckRoot(definition);
}

}  // namespace flowstate::asl

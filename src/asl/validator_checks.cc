#include "asl/validator_checks.h"

#include <cctype>
#include <string>

#include "asl/validator_paths.h"
#include "json/json.h"

namespace flowstate::asl {
namespace {

using json::Json;

constexpr std::string_view kSchema = "SCHEMA_VALIDATION_FAILED";
constexpr int kMaxTemplateDepth = 512;  // Parameters/Assign object nesting checked

}  // namespace

std::string JoinFields(const std::vector<std::string_view>& fields) {
  std::string out = "[";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ", ";
    out += fields[i];
  }
  return out + "]";
}

std::string Indexed(const std::string& location, std::string_view field, size_t index) {
  return location + "/" + std::string(field) + "[" + std::to_string(index) + "]";
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

void FieldChecker::Error(std::string message, std::string location) {
  sink_.Error(kSchema, std::move(message), std::move(location));
}

bool FieldChecker::ExpectType(const std::string& location, bool ok, std::string_view type_name) {
  if (!ok) Error("Expected value of type [" + std::string(type_name) + "]", location);
  return ok;
}
bool FieldChecker::ExpectString(const Json& value, const std::string& location) {
  return ExpectType(location, value.is_string(), "STRING");
}
bool FieldChecker::ExpectObject(const Json& value, const std::string& location) {
  return ExpectType(location, value.is_object(), "OBJECT");
}
bool FieldChecker::ExpectArray(const Json& value, const std::string& location) {
  return ExpectType(location, value.is_array(), "ARRAY");
}
bool FieldChecker::ExpectBoolean(const Json& value, const std::string& location) {
  return ExpectType(location, value.is_boolean(), "BOOLEAN");
}

void FieldChecker::CheckInteger(const Json& value, const std::string& location, int64_t min,
                                int64_t max, bool allow_expression) {
  if (allow_expression && value.is_string() &&
      IsJsonataExpression(value.get_ref<const std::string&>())) {
    return;
  }
  if (!value.is_number_integer()) {
    Error("Expected value of type [INTEGER]", location);
    return;
  }
  if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(max)) {
    Error("Maximum value is " + std::to_string(max), location);
    return;
  }
  const auto number = value.get<int64_t>();
  if (number < min) {
    Error("Minimum value is " + std::to_string(min), location);
  } else if (number > max) {
    Error("Maximum value is " + std::to_string(max), location);
  }
}

void FieldChecker::CheckPathField(const Json& value, std::string_view field,
                                  const std::string& location, bool reference, bool nullable) {
  if (value.is_null() && nullable) return;
  if (!value.is_string()) {
    Error("Expected value of type [STRING]", location);
    return;
  }
  const auto& path = value.get_ref<const std::string&>();
  const bool valid = field == "ResultPath" ? IsValidResultPath(path)
                     : reference           ? IsValidReferencePath(path)
                                           : IsValidJsonPath(path);
  if (!valid) {
    Error("The value for the field '" + std::string(field) + "' must be a valid " +
              (reference ? "ReferencePath" : "JSONPath"),
          location);
  }
}

std::string AssignedName(std::string_view key, bool jsonata) {
  if (!jsonata && EndsWith(key, ".$")) key.remove_suffix(2);
  return std::string(key);
}

std::string VariableNameProblem(std::string_view name) {
  const std::string quoted = "'" + std::string(name) + "'";
  if (name.empty()) return "The variable name must not be empty";
  // Characters, not bytes: a UTF-8 continuation byte does not start one.
  size_t characters = 0;
  for (char c : name) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  if (characters > kMaxVariableNameLength) {
    return "The variable name " + quoted + " is longer than " +
           std::to_string(kMaxVariableNameLength) + " characters";
  }
  // Unicode identifiers (ID_Start, then ID_Continue); non-ASCII letters are taken as such.
  auto start = [](unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; };
  auto next = [&](unsigned char c) { return start(c) || std::isdigit(c); };
  bool valid = start(static_cast<unsigned char>(name[0]));
  for (size_t i = 1; valid && i < name.size(); ++i) {
    valid = next(static_cast<unsigned char>(name[i]));
  }
  if (!valid) {
    return "The variable name " + quoted +
           " is not valid: it must start with a letter or '_' and contain only letters, digits "
           "and '_'";
  }
  if (name == "states") return "The variable name " + quoted + " is reserved";
  return "";
}

void FieldChecker::CheckAssign(const Json& value, const std::string& location, bool jsonata) {
  if (!ExpectObject(value, location)) return;
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string problem = VariableNameProblem(AssignedName(it.key(), jsonata));
    if (!problem.empty()) Error(std::move(problem), location);
  }
  if (!jsonata) CheckPayloadTemplate(value, location, 0);
}

void FieldChecker::CheckPayloadTemplate(const Json& value, const std::string& location, int depth) {
  if (depth > kMaxTemplateDepth) return;
  if (value.is_array()) {
    for (const Json& element : value) CheckPayloadTemplate(element, location, depth + 1);
    return;
  }
  if (!value.is_object()) return;
  for (const auto& [key, child] : value.items()) {
    if (!EndsWith(key, ".$")) {
      CheckPayloadTemplate(child, location, depth + 1);
      continue;
    }
    const bool ok = child.is_string() && IsValidPayloadPath(child.get_ref<const std::string&>());
    if (ok) continue;
    const bool looks_intrinsic =
        child.is_string() && StartsWith(child.get_ref<const std::string&>(), "States.");
    Error("The value for the field '" + key + "' must be a valid JSONPath" +
              (looks_intrinsic ? " or a valid intrinsic function call" : ""),
          location);
  }
}

}  // namespace flowstate::asl

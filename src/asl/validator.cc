// ValidateDefinitionText, ValidateDefinition and FormatInvalidDefinitionMessage
// (asl/definition.h), on top of the schema and graph checkers.
#include "asl/validator.h"

#include <string>
#include <string_view>

#include "asl/validator_json_text.h"
#include "json/json.h"

namespace flowstate::asl {
namespace {

constexpr std::string_view kNotAnObject = "Definition must be a valid JSON object";

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

std::string TrimRight(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

void DiagnosticSink::Error(std::string_view code, std::string message, std::string location) {
  diagnostics_.push_back(
      Diagnostic{"ERROR", std::string(code), std::move(message), std::move(location)});
}

std::vector<Diagnostic> ValidateDefinition(const json::Json& definition,
                                           const ValidationOptions& options) {
  DiagnosticSink sink;
  if (!definition.is_object()) {
    sink.Error("SCHEMA_VALIDATION_FAILED", std::string(kNotAnObject), "");
    return sink.Take();
  }
  CheckDefinitionSchema(definition, options, sink);
  // Graph rules read StartAt/States as the schema guarantees them, so they run only on a
  // definition whose schema holds (AWS does not report unreachable states then either).
  if (!sink.has_errors()) CheckJsonataExpressions(definition, sink);
  if (!sink.has_errors()) CheckVariableScopes(definition, sink);
  if (!sink.has_errors()) CheckDefinitionGraph(definition, sink);
  return sink.Take();
}

std::vector<Diagnostic> ValidateDefinitionText(std::string_view text,
                                               const ValidationOptions& options) {
  if (IsBlank(text)) {
    return {Diagnostic{"ERROR", "SCHEMA_VALIDATION_FAILED", std::string(kNotAnObject), ""}};
  }
  const JsonTextCheck check = CheckJsonText(text);
  if (!check.ok) {
    return {Diagnostic{"ERROR", "INVALID_JSON_DESCRIPTION", check.message, check.location}};
  }
  // Like Jackson's readTree, the first value counts and trailing text is ignored.
  auto parsed = json::Parse(text.substr(0, check.value_end));
  if (!parsed) {
    // The scanner accepts some byte sequences nlohmann refuses (invalid UTF-8).
    const std::string location = JacksonLocation(text, check.value_end);
    return {Diagnostic{"ERROR", "INVALID_JSON_DESCRIPTION",
                       "Invalid UTF-8 middle byte\n at " + location, location}};
  }
  return ValidateDefinition(*parsed, options);
}

std::string FormatInvalidDefinitionMessage(const std::vector<Diagnostic>& diagnostics) {
  std::string joined;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity != "ERROR") continue;
    if (!joined.empty()) joined += ", ";
    joined += diagnostic.code + ": ";
    if (diagnostic.code == "INVALID_JSON_DESCRIPTION") {
      joined += diagnostic.message;  // Jackson's text already ends with its location
      continue;
    }
    joined += TrimRight(diagnostic.message) + " at " +
              (diagnostic.location.empty() ? std::string("null") : diagnostic.location);
  }
  return "Invalid State Machine Definition: '" + joined + "'";
}

}  // namespace flowstate::asl

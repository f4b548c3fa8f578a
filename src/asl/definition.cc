// LoadDefinition: the one door from definition text to a runnable model (asl/definition.h).
// Validation lives in validator*.cc, the model in model_builder*.cc.
#include "asl/definition.h"

#include <string>
#include <utility>

#include "asl/validator_json_text.h"
#include "json/json.h"

namespace flowstate::asl {

json::Json DiagnosticToJson(const Diagnostic& diagnostic) {
  json::Json out = {{"severity", diagnostic.severity},
                    {"code", diagnostic.code},
                    {"message", diagnostic.message}};
  if (!diagnostic.location.empty()) {
    out["location"] = diagnostic.location;
  }
  return out;
}

base::Result<std::shared_ptr<const StateMachineModel>> LoadDefinition(
    std::string_view text, const ValidationOptions& options) {
  const std::vector<Diagnostic> diagnostics = ValidateDefinitionText(text, options);
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == "ERROR") {
      return base::Err(base::Status::InvalidArgument(FormatInvalidDefinitionMessage(diagnostics)));
    }
  }
  // The validator accepted the text, so its first value is JSON; AWS ignores what follows.
  const JsonTextCheck check = CheckJsonText(text);
  auto parsed = json::Parse(text.substr(0, check.value_end));
  if (!parsed) {
    return base::Err(base::Status::InvalidArgument(
        "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: " + parsed.error().message() +
        "'"));
  }
  return BuildModel(*parsed);
}

}  // namespace flowstate::asl

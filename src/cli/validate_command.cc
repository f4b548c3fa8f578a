// `flowstate validate DEFINITION.json`: ValidateStateMachineDefinition's answer, offline.
#include <iostream>

#include "asl/definition.h"
#include "cli/commands.h"
#include "json/json.h"

namespace flowstate::cli {

int Validate(const ValidateOptions& options) {
  std::string definition;
  if (!ReadFile(options.definition_path, definition)) {
    return 2;
  }
  asl::ValidationOptions validation;
  validation.express = options.express;
  const auto diagnostics = asl::ValidateDefinitionText(definition, validation);
  bool failed = false;
  json::Json items = json::Json::array();
  for (const auto& diagnostic : diagnostics) {
    failed = failed || diagnostic.severity == "ERROR";
    items.push_back(asl::DiagnosticToJson(diagnostic));
  }
  json::Json out = {{"result", failed ? "FAIL" : "OK"}, {"diagnostics", std::move(items)}};
  std::cout << out.dump(2) << "\n";
  return failed ? 1 : 0;
}

}  // namespace flowstate::cli

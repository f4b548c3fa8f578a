// The one door from definition text to a runnable model. CreateStateMachine,
// UpdateStateMachine, ValidateStateMachineDefinition, `flowstate validate` and `flowstate run`
// all call LoadDefinition / ValidateDefinitionText, so every path reports the same AWS
// diagnostics.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "json/json_fwd.h"

namespace flowstate::asl {

class StateMachineModel;  // asl/state_machine_model.h

// One finding, as ValidateStateMachineDefinition reports it.
struct Diagnostic {
  std::string severity = "ERROR";  // "ERROR" | "WARNING"
  std::string code;                // "SCHEMA_VALIDATION_FAILED", "MISSING_TRANSITION_TARGET", ...
  std::string message;             // AWS's text, e.g. "These fields are required: [States]"
  std::string location;            // JSON Pointer-like, e.g. "/States/A/Next"; "/" for the root;
                                   // array items as "/States/C/Choices[0]/Next"; empty when AWS
                                   // sends no location (MISSING_END_STATE, a definition that is
                                   // not an object): then omit the field on the wire
};

struct ValidationOptions {
  bool express = false;  // EXPRESS state machines reject .sync, .waitForTaskToken, activities
};

// Checks a definition's text (INVALID_JSON_DESCRIPTION with Jackson's message when it is not
// JSON; like AWS, only the first JSON value counts) and its content. Empty when valid.
// Errors first, warnings after, in a stable order: schema errors in document order; the
// transition graph (duplicate names, missing targets, no terminal state, unreachable states)
// is checked only when the schema holds. Never throws, whatever the input.
std::vector<Diagnostic> ValidateDefinitionText(std::string_view text,
                                               const ValidationOptions& options);
std::vector<Diagnostic> ValidateDefinition(const json::Json& definition,
                                           const ValidationOptions& options);

// A diagnostic as ValidateStateMachineDefinition returns it; AWS omits an empty location.
json::Json DiagnosticToJson(const Diagnostic& diagnostic);

// The InvalidDefinition exception message of CreateStateMachine/UpdateStateMachine:
// "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required:
// [States] at /'" (several errors joined with ", " as AWS joins them; a missing location
// reads "at null"). Only ERROR diagnostics count.
std::string FormatInvalidDefinitionMessage(const std::vector<Diagnostic>& diagnostics);

// Builds the immutable model of a definition that ValidateDefinition accepted.
// REQUIRES: ValidateDefinition(definition) has no ERROR diagnostics.
base::Result<std::shared_ptr<const StateMachineModel>> BuildModel(const json::Json& definition);

// Validate + build: on invalid input, InvalidArgument with FormatInvalidDefinitionMessage(...).
base::Result<std::shared_ptr<const StateMachineModel>> LoadDefinition(
    std::string_view text, const ValidationOptions& options);

}  // namespace flowstate::asl

// The definition checker behind ValidateDefinition (asl/definition.h): one pass over the
// document for the schema rules (SCHEMA_VALIDATION_FAILED, INVALID_STATE_NAME,
// TOO_DEEPLY_NESTED), then, when the schema holds, one pass over every scope's transition graph
// (DUPLICATE_STATE_NAME, MISSING_TRANSITION_TARGET, MISSING_END_STATE) and one over the JSONata
// expressions (INVALID_JSONATA_EXPRESSION, UNSUPPORTED_JSONATA_EXPRESSION). Messages and
// locations follow AWS's ValidateStateMachineDefinition answers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "asl/definition.h"
#include "json/json_fwd.h"

namespace flowstate::asl {

// Collects diagnostics in the order they are found.
class DiagnosticSink {
 public:
  void Error(std::string_view code, std::string message, std::string location);
  bool has_errors() const { return !diagnostics_.empty(); }
  size_t size() const { return diagnostics_.size(); }
  std::vector<Diagnostic> Take() { return std::move(diagnostics_); }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Schema rules for a whole definition object; appends to `sink`.
void CheckDefinitionSchema(const json::Json& definition, const ValidationOptions& options,
                           DiagnosticSink& sink);

// JSONata expressions of the JSONata states: each must parse (INVALID_JSONATA_EXPRESSION), read
// nothing from the top-level context and only the `$states` members its field offers
// (UNSUPPORTED_JSONATA_EXPRESSION). Meaningful only when CheckDefinitionSchema found nothing.
void CheckJsonataExpressions(const json::Json& definition, DiagnosticSink& sink);

// Variable scopes: a Parallel branch or inline Map iteration must not assign a name its
// enclosing scopes assign (SCHEMA_VALIDATION_FAILED). Meaningful only on a valid schema.
void CheckVariableScopes(const json::Json& definition, DiagnosticSink& sink);

// Transition-graph rules; meaningful only when CheckDefinitionSchema found nothing.
void CheckDefinitionGraph(const json::Json& definition, DiagnosticSink& sink);

}  // namespace flowstate::asl

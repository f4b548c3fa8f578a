// ModelBuilder turns a definition document into a StateMachineModel (asl::BuildModel). It
// assumes the validator accepted the document, yet never crashes on other JSON: anything it
// cannot build is an InvalidArgument Status naming the state and field.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asl/state_machine_model.h"
#include "base/result.h"
#include "json/json.h"

namespace flowstate::asl {

class ModelBuilder {
 public:
  base::Result<std::shared_ptr<const StateMachineModel>> Build(const json::Json& definition);

 private:
  // Builds the scope `{StartAt, States}` into scopes_[index]; returns its index.
  base::Result<ScopeIndex> BuildScope(const json::Json& scope_json, ScopeIndex parent,
                                      const std::string& where);
  base::Status BuildState(const std::string& name, const json::Json& state_json, Scope& scope,
                          State& state, ScopeIndex scope_index);
  base::Status BuildDataFlow(const json::Json& state_json, State& state);
  base::Status BuildTask(const json::Json& state_json, State& state);
  base::Status BuildChoice(const json::Json& state_json, const Scope& scope, State& state);
  base::Status BuildWait(const json::Json& state_json, State& state);
  base::Status BuildFail(const json::Json& state_json, State& state);
  base::Status BuildParallel(const json::Json& state_json, State& state, ScopeIndex scope_index);
  base::Status BuildMap(const json::Json& state_json, State& state, ScopeIndex scope_index);
  base::Status BuildJsonataMap(const json::Json& state_json, State& state);
  base::Status BuildRetryCatch(const json::Json& state_json, const Scope& scope, State& state);

  std::vector<Scope> scopes_;
  bool top_jsonata_ = false;  // the definition's QueryLanguage is JSONata
};

// Compiles a path-valued field ("InputPath", ...) of `object` into `field`.
base::Status CompilePathField(const json::Json& object, std::string_view key, PathField& field);
// Compiles a ResultPath field.
base::Status CompileResultPathField(const json::Json& object, ResultPathField& field);
// Compiles a payload template (Parameters, ResultSelector, ItemSelector).
base::Status CompileTemplateField(const json::Json& object, std::string_view key,
                                  TemplateField& field);
// Compiles a single path or intrinsic expression (e.g. Fail ErrorPath) as a template field.
base::Status CompileExpressionField(const json::Json& object, std::string_view key,
                                    ExpressionField& field);

// Compiles a JSONata-mode field (Output, Arguments, Items, ...): any JSON value.
base::Status CompileJsonataField(const json::Json& object, std::string_view key,
                                 JsonataField& field);
// Compiles Assign for a state of either query language.
base::Status CompileAssignField(const json::Json& object, bool jsonata, AssignField& field);

}  // namespace flowstate::asl

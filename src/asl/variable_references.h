// The workflow variables each state of a definition reads: DescribeStateMachine's and
// DescribeStateMachineForExecution's `variableReferences` (AWS API reference: "A map of state
// name to a list of variables referenced by that state. States that do not use variable
// references will not be shown in the response.").
#pragma once

#include <map>
#include <string>
#include <vector>

#include "json/json_fwd.h"

namespace flowstate::asl {

// State name -> the variable names its fields read, sorted, each once, for every state at any
// depth (Parallel branches, Map processors). JSONPath states read variables through `$name`
// paths (`x.$` template members, `...Path` fields, Choice `Variable`) and intrinsic arguments;
// JSONata states through `$name` in their "{% %}" expressions (`$states`, local bindings and
// function names excluded). Empty when no state reads a variable: callers then omit the field.
std::map<std::string, std::vector<std::string>> VariableReferences(const json::Json& definition);

// The response member: an object, or null when there is nothing to report.
json::Json VariableReferencesJson(const json::Json& definition);

}  // namespace flowstate::asl

// Static syntax checks of the path-like strings an ASL definition holds: JSONPath (InputPath,
// ItemsPath, `.$` template values), reference paths (ResultPath, Choice Variable), intrinsic
// function calls and RFC 3339 timestamps. They decide only whether CreateStateMachine accepts
// the text; evaluation belongs to the query module.
#pragma once

#include <string_view>

namespace flowstate::asl {

// "$", "$.a.b", "$['x'][0]", "$..a", "$$.Execution.Id", "$var.field": a path that starts with
// '$' and whose brackets and quotes are balanced.
bool IsValidJsonPath(std::string_view path);

// A JSONPath naming one node: no "..", "*", filters, unions or slices.
bool IsValidReferencePath(std::string_view path);

// A ResultPath: a reference path rooted at `$` (not `$$` or a variable).
bool IsValidResultPath(std::string_view path);

// "States.Format('{}', $.a)": a known function with balanced, well-quoted arguments.
bool IsValidIntrinsicCall(std::string_view text);

// What a `.$` field of Parameters, ResultSelector, ItemSelector or Assign may hold.
bool IsValidPayloadPath(std::string_view text);

// RFC 3339 as ASL requires it: uppercase 'T', and 'Z' or a numeric offset.
bool IsValidTimestamp(std::string_view text);

// "{% ... %}": a JSONata expression string.
bool IsJsonataExpression(std::string_view text);

}  // namespace flowstate::asl

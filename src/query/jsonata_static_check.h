// Create-time checks of Step Functions JSONata expressions (AWS-REFERENCE.md §6.4): AWS
// evaluates every expression with no context value, so a field name, `$` or `$$` read at the top
// level can never mean anything and is refused (UNSUPPORTED_JSONATA_EXPRESSION), and it knows
// which `$states` members a field can read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flowstate::query {

namespace jsonata {
class Expression;  // query/jsonata/expression.h
}  // namespace jsonata

// The names an expression reads from the (absent) top-level context, each once, in order:
// field names (`phone` in `phone & 'x'`), "$" and "$$". Paths starting at a variable
// (`$states.input.phone`), predicates, lambda bodies and transforms read other contexts and
// are not reported.
std::vector<std::string> TopLevelReferences(const jsonata::Expression& expression);

// The workflow variables an expression reads (DescribeStateMachine's variableReferences): its
// `$name`s, each once, in order, without `$states`, `$`/`$$`, names the expression binds itself
// (`$x := ...`, lambda parameters) and the functions it calls by their built-in names.
std::vector<std::string> WorkflowVariableReferences(const jsonata::Expression& expression);

// Whether the expression reads `$states.<member>` (e.g. "result", "errorOutput").
bool ReadsStatesMember(const jsonata::Expression& expression, std::string_view member);

}  // namespace flowstate::query

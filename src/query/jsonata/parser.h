// Parser: JSONata source text to the compiled tree (ast.h). A Pratt (top-down operator
// precedence) parser that folds path steps, predicates, bindings and grouping into path nodes
// as it goes, then resolves parent (`%`) references and marks tail calls.
#pragma once
#include <string_view>

#include "query/jsonata/ast.h"

namespace flowstate::query::jsonata {

// Throws Failure (S0xxx) on a syntax error.
NodePtr ParseExpression(std::string_view source);

}  // namespace flowstate::query::jsonata

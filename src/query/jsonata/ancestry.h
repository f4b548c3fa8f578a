// Compile-time passes over the parsed tree: resolving each parent reference (`%`) to the path
// step that must bind its input, and marking calls in tail position of lambda bodies so the
// evaluator can run them as a loop instead of recursing, and marking paths of plain field
// names, which the evaluator walks without building sequences.
#pragma once
#include "query/jsonata/ast.h"

namespace flowstate::query::jsonata {

// Throws Failure S0217 when a `%` has no step it can refer to.
void ResolveAncestry(Node* root);
void MarkTailCalls(Node* root);
// Also marks object constructors whose keys are distinct string literals (no key to evaluate
// or check). Run after ResolveAncestry (a step a `%` binds is not plain).
void MarkSimplePaths(Node* root);
// Points each `$name` that names a built-in function at it, so evaluation needs no table
// lookup for it.
void ResolveBuiltins(Node* root);
// Turns object constructors whose keys and values are all literals (`{"ok": true}`) into
// literals, built once. Run after MarkSimplePaths (it relies on literal_keys).
void FoldConstantObjects(Node* root);

}  // namespace flowstate::query::jsonata

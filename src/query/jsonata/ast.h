// The compiled JSONata syntax tree. Built once by the parser (parser.h), then only read, so
// one tree serves concurrent evaluations.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "query/jsonata/signature.h"
#include "query/jsonata/value.h"

namespace flowstate::query::jsonata {

struct Node;
using NodePtr = std::unique_ptr<Node>;

enum class NodeKind {
  kLiteral,      // string, number, true/false/null (literal)
  kRegex,        // regex literal (regex)
  kName,         // field name step (str)
  kVariable,     // $name (str); "" is the context $
  kWildcard,     // *
  kDescendant,   // **
  kParent,       // % (parent_slot)
  kPath,         // steps
  kBinary,       // op: + - * / % = != < <= > >= & and or in .. (lhs, rhs)
  kNegate,       // unary minus (lhs)
  kArray,        // [ ... ] (items)
  kObject,       // { k: v } (pairs), evaluated as grouping over the context
  kCall,         // procedure(args); is_partial when an argument is `?`
  kPlaceholder,  // ? inside a partial application
  kLambda,       // function($a, $b)<sig>{ body }
  kCondition,    // cond ? then : else
  kCoalesce,     // lhs ?? rhs
  kElvis,        // lhs ?: rhs
  kBind,         // $var := rhs
  kBlock,        // ( a; b; c )
  kApply,        // lhs ~> rhs
  kTransform,    // | pattern | update, delete |
  kSort,         // ^( terms ) as a path step
};

struct Stage {
  NodePtr filter;         // predicate `[expr]`, or null for an index binding
  std::string index_var;  // `#$i` binding placed after predicates
};

struct SortTerm {
  NodePtr expr;
  bool descending = false;
};

// A parent (`%`) reference, resolved at compile time to the step that binds it.
struct ParentSlot {
  std::string label;
  int level = 1;
};

struct Node {
  NodeKind kind;
  int64_t position = 0;
  std::string str;  // name, variable, operator
  Value literal;    // kLiteral
  NodePtr lhs, rhs, third;
  std::vector<NodePtr> items;  // path steps, array items, call args, block exprs, params
  std::vector<std::pair<NodePtr, NodePtr>> pairs;  // object constructor / group-by
  std::vector<SortTerm> sort_terms;

  // Path step annotations.
  std::vector<Stage> stages;
  std::unique_ptr<Node> group;  // `step{...}` grouping (kind kObject)
  bool keep_array = false;      // `[]` on this step
  bool cons_array = false;      // array constructor used as a step: not flattened
  std::string focus_var;        // `@$v`
  std::string index_var;        // `#$i` (before any predicate)
  std::string ancestor_label;   // this step binds its input for a `%`
  bool tuple = false;           // step needs the tuple stream
  // Path annotations.
  bool keep_singleton = false;
  bool tuple_path = false;
  bool emit_tuples = false;   // hands its tuple stream to an enclosing path (for `%`)
  bool simple_names = false;  // `$var.a.b` / `a.b.c`: plain field names only (fast path)
  bool literal_keys = false;  // object constructor whose keys are distinct string literals

  // Parent operator.
  std::shared_ptr<ParentSlot> parent_slot;

  // Variable: the built-in function of that name, resolved once (null: no built-in has it).
  const Value* builtin = nullptr;

  // Call / lambda.
  bool is_partial = false;
  bool tail_call = false;  // call in tail position of a lambda body (trampolined)
  std::vector<std::string> params;
  std::shared_ptr<const Signature> signature;

  int height = 1;  // longest chain of nested nodes below, bounded by the parser

  // Regex literal.
  std::shared_ptr<const class Regex> regex;

  // Transform.
  // lhs = pattern, rhs = update, third = delete (may be null).

  explicit Node(NodeKind k, int64_t pos = 0) : kind(k), position(pos) {}
};

}  // namespace flowstate::query::jsonata

#include "query/jsonata_static_check.h"

#include <algorithm>

#include "query/jsonata/ast.h"
#include "query/jsonata/expression.h"
#include "query/jsonata/functions.h"
#include "query/jsonata_functions.h"

namespace flowstate::query {
namespace {

using jsonata::Node;
using jsonata::NodeKind;

void Add(std::vector<std::string>& out, std::string name) {
  if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
}

// `top`: the node is evaluated against the expression's own (absent) context.
void Walk(const Node* node, bool top, std::vector<std::string>& out) {
  if (node == nullptr) return;
  switch (node->kind) {
    case NodeKind::kName:
      if (top) Add(out, node->str);
      break;
    case NodeKind::kVariable:
      if (top && node->str.empty()) Add(out, "$");
      if (top && node->str == "$") Add(out, "$$");
      break;
    case NodeKind::kPath:
      // Only the first step reads the current context; later steps read the previous one's.
      for (size_t idx = 0; idx < node->items.size(); ++idx) {
        Walk(node->items[idx].get(), top && idx == 0, out);
      }
      Walk(node->group.get(), false, out);
      return;
    case NodeKind::kLambda:
    case NodeKind::kTransform:
      return;
    default:
      break;
  }
  // Predicates, sort terms and groups on a node read the node's own values.
  for (const auto& stage : node->stages) Walk(stage.filter.get(), false, out);
  for (const auto& term : node->sort_terms) Walk(term.expr.get(), false, out);
  Walk(node->group.get(), false, out);
  Walk(node->lhs.get(), top, out);
  Walk(node->rhs.get(), top, out);
  Walk(node->third.get(), top, out);
  for (const auto& item : node->items) Walk(item.get(), top, out);
  for (const auto& [key, value] : node->pairs) {
    Walk(key.get(), top, out);
    Walk(value.get(), top, out);
  }
}

// Names the expression binds itself, anywhere: `$x := ...` and lambda parameters.
void CollectBound(const Node* node, std::vector<std::string>& out) {
  if (node == nullptr) return;
  if (node->kind == NodeKind::kBind && node->lhs) Add(out, node->lhs->str);
  if (node->kind == NodeKind::kLambda) {
    for (const std::string& param : node->params) Add(out, param);
  }
  if (!node->focus_var.empty()) Add(out, node->focus_var);
  if (!node->index_var.empty()) Add(out, node->index_var);
  for (const auto& stage : node->stages) {
    if (!stage.index_var.empty()) Add(out, stage.index_var);
    CollectBound(stage.filter.get(), out);
  }
  CollectBound(node->lhs.get(), out);
  CollectBound(node->rhs.get(), out);
  CollectBound(node->third.get(), out);
  CollectBound(node->group.get(), out);
  for (const auto& item : node->items) CollectBound(item.get(), out);
  for (const auto& [key, value] : node->pairs) {
    CollectBound(key.get(), out);
    CollectBound(value.get(), out);
  }
  for (const auto& term : node->sort_terms) CollectBound(term.expr.get(), out);
}

// Every `$name` read, except the callee of a call that names a function the evaluator provides.
void CollectRead(const Node* node, std::vector<std::string>& out) {
  if (node == nullptr) return;
  if (node->kind == NodeKind::kVariable) Add(out, node->str);
  const bool calls_function = node->kind == NodeKind::kCall && node->lhs &&
                              node->lhs->kind == NodeKind::kVariable &&
                              (jsonata::BuiltinFunctions().count(node->lhs->str) > 0 ||
                               StepFunctionsFunctions().count(node->lhs->str) > 0);
  // A binding's left side is the name it binds, not a read.
  if (!calls_function && node->kind != NodeKind::kBind) CollectRead(node->lhs.get(), out);
  CollectRead(node->rhs.get(), out);
  CollectRead(node->third.get(), out);
  CollectRead(node->group.get(), out);
  for (const auto& item : node->items) CollectRead(item.get(), out);
  for (const auto& [key, value] : node->pairs) {
    CollectRead(key.get(), out);
    CollectRead(value.get(), out);
  }
  for (const auto& term : node->sort_terms) CollectRead(term.expr.get(), out);
  for (const auto& stage : node->stages) CollectRead(stage.filter.get(), out);
}

bool FindStatesMember(const Node* node, std::string_view member) {
  if (node == nullptr) return false;
  if (node->kind == NodeKind::kPath && node->items.size() >= 2 &&
      node->items[0]->kind == NodeKind::kVariable && node->items[0]->str == "states" &&
      node->items[1]->kind == NodeKind::kName && node->items[1]->str == member) {
    return true;
  }
  if (FindStatesMember(node->lhs.get(), member) || FindStatesMember(node->rhs.get(), member) ||
      FindStatesMember(node->third.get(), member) || FindStatesMember(node->group.get(), member)) {
    return true;
  }
  for (const auto& item : node->items) {
    if (FindStatesMember(item.get(), member)) return true;
  }
  for (const auto& [key, value] : node->pairs) {
    if (FindStatesMember(key.get(), member) || FindStatesMember(value.get(), member)) return true;
  }
  for (const auto& stage : node->stages) {
    if (FindStatesMember(stage.filter.get(), member)) return true;
  }
  for (const auto& term : node->sort_terms) {
    if (FindStatesMember(term.expr.get(), member)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> TopLevelReferences(const jsonata::Expression& expression) {
  std::vector<std::string> out;
  Walk(expression.root(), true, out);
  return out;
}

std::vector<std::string> WorkflowVariableReferences(const jsonata::Expression& expression) {
  std::vector<std::string> bound;
  CollectBound(expression.root(), bound);
  std::vector<std::string> read;
  CollectRead(expression.root(), read);
  std::vector<std::string> out;
  for (std::string& name : read) {
    if (name.empty() || name == "$" || name == "states") continue;
    if (std::find(bound.begin(), bound.end(), name) != bound.end()) continue;
    out.push_back(std::move(name));
  }
  return out;
}

bool ReadsStatesMember(const jsonata::Expression& expression, std::string_view member) {
  return FindStatesMember(expression.root(), member);
}

}  // namespace flowstate::query

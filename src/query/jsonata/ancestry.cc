#include "query/jsonata/ancestry.h"

#include "query/jsonata/error.h"
#include "query/jsonata/functions.h"

namespace flowstate::query::jsonata {

namespace {

using Slots = std::vector<std::shared_ptr<ParentSlot>>;

class AncestryResolver {
 public:
  Slots Resolve(Node* n) {
    if (n == nullptr) return {};
    if (n->kind == NodeKind::kParent) {
      n->parent_slot->label = "!" + std::to_string(counter_++);
      n->parent_slot->level = 1;
      Slots own = {n->parent_slot};
      ResolveStages(n, own);
      return own;
    }
    if (n->kind == NodeKind::kPath) return ResolvePath(n);
    Slots out;
    auto add = [&](Node* child) {
      Slots s = Resolve(child);
      out.insert(out.end(), s.begin(), s.end());
    };
    if (n->kind != NodeKind::kCall) add(n->lhs.get());
    add(n->rhs.get());
    add(n->third.get());
    for (auto& item : n->items) add(item.get());
    for (auto& [k, v] : n->pairs) {
      add(k.get());
      add(v.get());
    }
    for (auto& term : n->sort_terms) add(term.expr.get());
    if (n->group) add(n->group.get());
    ResolveStages(n, out);
    return out;
  }

 private:
  // Predicate slots at level 1 refer to the input of the step the predicate filters.
  void ResolveStages(Node* step, Slots& out) {
    for (auto& stage : step->stages) {
      if (!stage.filter) continue;
      for (auto& slot : Resolve(stage.filter.get())) {
        Seek(step, *slot, stage.filter->position);
        if (slot->level > 0) out.push_back(slot);
      }
    }
  }

  Slots ResolvePath(Node* path) {
    Slots out;
    for (auto& step : path->items) {
      if (step->kind == NodeKind::kLiteral && path->items.size() > 1) {
        Fail("S0213", step->position, step->str, step->literal);
      }
    }
    for (size_t k = 0; k < path->items.size(); ++k) {
      Node* step = path->items[k].get();
      Slots own = Resolve(step);
      for (auto& slot : own) {
        for (size_t j = k; j-- > 0 && slot->level > 0;) {
          // Contiguous focus-binding steps (`a@$x.b@$y`) keep one context, so they count as
          // one step: the parent is sought at the first of them.
          while (j > 0 && HasFocus(path->items[j].get()) && HasFocus(path->items[j - 1].get())) {
            --j;
          }
          Seek(path->items[j].get(), *slot, step->position);
        }
        if (slot->level > 0) out.push_back(slot);
      }
    }
    if (path->group) {
      Slots group_slots = Resolve(path->group.get());
      for (auto& slot : group_slots) {
        for (size_t j = path->items.size(); j-- > 0 && slot->level > 0;) {
          Seek(path->items[j].get(), *slot, path->group->position);
        }
        if (slot->level > 0) out.push_back(slot);
      }
    }
    for (auto& step : path->items) {
      if (step->tuple) path->tuple_path = true;
    }
    return out;
  }

  static bool HasFocus(const Node* step) { return !step->focus_var.empty(); }

  static void Seek(Node* step, ParentSlot& slot, int64_t position) {
    switch (step->kind) {
      case NodeKind::kName:
      case NodeKind::kWildcard:
        if (--slot.level == 0) {
          if (step->ancestor_label.empty()) {
            step->ancestor_label = slot.label;
          } else {
            // Two references resolve to the same step: share its binding.
            slot.label = step->ancestor_label;
          }
          step->tuple = true;
        }
        return;
      case NodeKind::kParent:
        slot.level++;
        return;
      case NodeKind::kSort:
        return;
      case NodeKind::kBlock:
        // The parent is found inside the block's result expression, whose path then
        // hands its tuple stream (with the binding) out to the enclosing path.
        step->tuple = true;
        if (step->items.empty()) {
          slot.level = 0;
          return;
        }
        Seek(step->items.back().get(), slot, position);
        return;
      case NodeKind::kPath:
        step->tuple = true;
        step->tuple_path = true;
        step->emit_tuples = true;
        for (size_t j = step->items.size(); j-- > 0 && slot.level > 0;) {
          Seek(step->items[j].get(), slot, position);
        }
        return;
      default:
        Fail("S0217", position, "%");
    }
  }

  int counter_ = 0;
};

void MarkTail(Node* n) {
  if (n == nullptr || !n->stages.empty() || n->group || n->keep_array) return;
  switch (n->kind) {
    case NodeKind::kCall:
      if (!n->is_partial) n->tail_call = true;
      return;
    case NodeKind::kCondition:
      MarkTail(n->rhs.get());
      MarkTail(n->third.get());
      return;
    case NodeKind::kBlock:
      if (!n->items.empty()) MarkTail(n->items.back().get());
      return;
    default:
      return;
  }
}

// A step that only looks a field up: no predicate, binding, grouping or array flag.
bool PlainStep(const Node* step) {
  return step->stages.empty() && !step->group && !step->keep_array && !step->cons_array &&
         step->focus_var.empty() && step->index_var.empty() && step->ancestor_label.empty() &&
         !step->tuple;
}

template <typename Fn>
void ForEachChild(Node* n, Fn&& fn) {
  fn(n->lhs.get());
  fn(n->rhs.get());
  fn(n->third.get());
  for (auto& item : n->items) fn(item.get());
  for (auto& [k, v] : n->pairs) {
    fn(k.get());
    fn(v.get());
  }
  for (auto& term : n->sort_terms) fn(term.expr.get());
  for (auto& stage : n->stages) fn(stage.filter.get());
  fn(n->group.get());
}

}  // namespace

void MarkSimplePaths(Node* root) {
  if (root == nullptr) return;
  if (root->kind == NodeKind::kPath && root->items.size() >= 2 && !root->group &&
      !root->keep_singleton && !root->tuple_path && !root->emit_tuples) {
    bool simple = true;
    for (size_t i = 0; i < root->items.size() && simple; ++i) {
      const Node* step = root->items[i].get();
      bool kind_ok = step->kind == NodeKind::kName || (i == 0 && step->kind == NodeKind::kVariable);
      simple = kind_ok && PlainStep(step);
    }
    root->simple_names = simple;
  }
  if (root->kind == NodeKind::kObject) {
    bool literal = true;
    for (size_t p = 0; p < root->pairs.size() && literal; ++p) {
      const Node* key = root->pairs[p].first.get();
      literal = key->kind == NodeKind::kLiteral && key->literal.IsString() && key->stages.empty() &&
                !key->group;
      for (size_t q = 0; q < p && literal; ++q) {
        literal = root->pairs[q].first->literal.AsString() != key->literal.AsString();
      }
    }
    root->literal_keys = literal;
  }
  ForEachChild(root, [](Node* child) { MarkSimplePaths(child); });
}

void FoldConstantObjects(Node* root) {
  if (root == nullptr) return;
  // A grouping (`step{...}`) is read pair by pair by the evaluator: only its insides fold.
  if (root->group) {
    for (auto& [k, v] : root->group->pairs) {
      FoldConstantObjects(k.get());
      FoldConstantObjects(v.get());
    }
  }
  Node* group = root->group.get();
  ForEachChild(root, [group](Node* child) {
    if (child != group) FoldConstantObjects(child);
  });
  if (root->kind != NodeKind::kObject || !root->literal_keys || !PlainStep(root)) return;
  for (const auto& [key, value] : root->pairs) {
    if (value->kind != NodeKind::kLiteral || !PlainStep(value.get())) return;
  }
  // Every key and value is a literal: the object is one too (values are immutable, so all
  // evaluations can share it).
  auto object = std::make_shared<ObjectData>();
  object->Reserve(root->pairs.size());
  for (const auto& [key, value] : root->pairs)
    object->Append(key->literal.AsString(), value->literal);
  root->literal = Value::FromObject(std::move(object));
  root->kind = NodeKind::kLiteral;
  root->pairs.clear();
  root->literal_keys = false;
}

void ResolveBuiltins(Node* root) {
  if (root == nullptr) return;
  if (root->kind == NodeKind::kVariable && !root->str.empty()) {
    const auto& builtins = BuiltinFunctions();
    auto it = builtins.find(root->str);
    if (it != builtins.end()) root->builtin = &it->second;
  }
  ForEachChild(root, [](Node* child) { ResolveBuiltins(child); });
}

void ResolveAncestry(Node* root) {
  AncestryResolver resolver;
  Slots remaining = resolver.Resolve(root);
  if (!remaining.empty()) Fail("S0217", root->position, "%");
}

void MarkTailCalls(Node* root) {
  if (root == nullptr) return;
  if (root->kind == NodeKind::kLambda) MarkTail(root->lhs.get());
  MarkTailCalls(root->lhs.get());
  MarkTailCalls(root->rhs.get());
  MarkTailCalls(root->third.get());
  for (auto& item : root->items) MarkTailCalls(item.get());
  for (auto& [k, v] : root->pairs) {
    MarkTailCalls(k.get());
    MarkTailCalls(v.get());
  }
  for (auto& term : root->sort_terms) MarkTailCalls(term.expr.get());
  for (auto& stage : root->stages) MarkTailCalls(stage.filter.get());
  if (root->group) MarkTailCalls(root->group.get());
}

}  // namespace flowstate::query::jsonata

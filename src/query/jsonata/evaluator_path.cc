// Path evaluation: steps over sequences, predicates, tuple streams (for `@`, `#` and `%`
// bindings), sorting and grouping.
#include <algorithm>
#include <array>
#include <cmath>

#include "query/jsonata/error.h"
#include "query/jsonata/evaluator.h"

namespace flowstate::query::jsonata {

namespace {

std::vector<Value> AsItems(const Value& v) {
  if (v.IsArray()) return v.AsArray().items;
  if (v.IsUndefined()) return {};
  return {v};
}

// A predicate result that selects by position: a number or a non-empty array of numbers.
bool NumericIndexes(const Value& v, std::vector<double>* out) {
  if (v.IsNumber()) {
    out->push_back(v.AsNumber());
    return true;
  }
  if (!v.IsArray() || v.AsArray().items.empty()) return false;
  for (const auto& e : v.AsArray().items) {
    if (!e.IsNumber()) return false;
    out->push_back(e.AsNumber());
  }
  return true;
}

bool IndexSelected(const std::vector<double>& indexes, size_t index, size_t size) {
  for (double d : indexes) {
    auto i = static_cast<int64_t>(std::floor(d));
    if (i < 0) i += static_cast<int64_t>(size);
    if (i == static_cast<int64_t>(index)) return true;
  }
  return false;
}

}  // namespace

// `$v.a.b` or `a.b.c` over objects: each step has one context item, so no sequence is
// built. False (nothing decided) when a value on the way is not an object or the result is a
// sequence: the general walk handles mapping and flattening.
bool Evaluator::WalkFieldNames(const Node* n, const Value& input, Frame* env, Value* out) {
  const Node* first = n->items[0].get();
  Value root;
  const Value* at = &input;
  size_t i = 0;
  if (first->kind == NodeKind::kVariable) {
    if (first->str.empty()) {
      root = Evaluate(first, input, env, true);  // `$`: the context, unwrapped
      at = &root;
    } else {
      // A named variable is read in place: the walk only borrows it.
      at = LookupVariable(env, first);
      if (at == nullptr) {
        *out = Value();
        return true;
      }
    }
    i = 1;
  }
  for (; i < n->items.size(); ++i) {
    if (!at->IsObject()) return false;
    at = at->AsObject().Find(n->items[i]->str);
    if (at == nullptr) {
      *out = Value();
      return true;
    }
  }
  if (at->IsSequence()) return false;
  *out = *at;
  return true;
}

Value Evaluator::EvaluatePath(const Node* n, const Value& input, Frame* env) {
  const Node* first = n->items[0].get();
  if (n->items.size() == 1 && first->kind == NodeKind::kName && first->stages.empty() &&
      !n->keep_singleton && !n->group && !input.IsArray()) {
    return LookupField(input, first->str);  // the common `field` path: no sequence needed
  }
  Value holder;  // owns the items the next step iterates
  std::vector<Value> single;
  const std::vector<Value>* sequence = &single;
  if (input.IsArray() && first->kind != NodeKind::kVariable) {
    sequence = &input.AsArray().items;
  } else {
    single.push_back(input);
  }
  Value result;
  for (size_t i = 0; i < n->items.size(); ++i) {
    const Node* step = n->items[i].get();
    if (i == 0 && step->cons_array) {
      result = Evaluate(step, input, env, true);
      for (const auto& stage : step->stages) {
        if (stage.filter) result = ApplyFilter(stage.filter.get(), result, env);
      }
    } else {
      result = EvaluateStep(step, *sequence, env, i + 1 == n->items.size());
    }
    if (result.IsUndefined() || (result.IsArray() && result.AsArray().items.empty())) {
      // An empty sequence is nothing, but the last step's own empty array (`$x.items` with
      // items = []) is the result, as in jsonata-js.
      bool own_array = i + 1 == n->items.size() && result.IsArray() && !result.IsSequence();
      if (!own_array) result = Value();
      break;
    }
    if (i + 1 < n->items.size()) {
      holder = result;
      if (holder.IsArray()) {
        sequence = &holder.AsArray().items;
      } else {
        single.assign(1, holder);
        sequence = &single;
      }
    }
  }
  if (n->keep_singleton && result.IsDefined() && !result.IsArray()) {
    Value seq = MakeSequence();
    seq.MutableArray().items.push_back(result);
    result = std::move(seq);
  }
  if (n->keep_singleton && result.IsArray()) {
    auto arr = result.ArrayPtr();
    if (arr->cons && !arr->sequence) {
      auto seq = NewArray(true);
      seq->items.push_back(result);
      arr = seq;
      result = Value::FromArray(seq);
    }
    if (arr->sequence) arr->keep_singleton = true;
  }
  if (n->group) {
    result = EvaluateGroup(n->group.get(), AsItems(result), {}, env);
  }
  return result;
}

Value Evaluator::EvaluateStep(const Node* step, const std::vector<Value>& input, Frame* env,
                              bool last) {
  if (step->kind == NodeKind::kSort) {
    std::vector<size_t> order = SortOrder(step, input, {}, env);
    Value sorted = MakeSequence();
    for (size_t i : order) sorted.MutableArray().items.push_back(input[i]);
    for (const auto& stage : step->stages) {
      if (stage.filter) sorted = ApplyFilter(stage.filter.get(), sorted, env);
    }
    return sorted;
  }
  if (input.size() == 1 && step->stages.empty()) {
    // One context item: flattening a lone non-array or sequence result changes nothing.
    Value res = Evaluate(step, input[0], env, true);
    if (!res.IsArray() || (res.IsSequence() && !res.AsArray().cons)) return res;
    if (last && !res.IsSequence()) return res;
    Value seq = MakeSequence();
    if (res.AsArray().cons) {
      seq.MutableArray().items.push_back(std::move(res));
    } else {
      seq.MutableArray().items = res.AsArray().items;
    }
    return seq;
  }
  std::vector<Value> results;
  results.reserve(input.size());
  for (const auto& item : input) {
    Value res = Evaluate(step, item, env, true);
    for (const auto& stage : step->stages) {
      if (stage.filter) res = ApplyFilter(stage.filter.get(), res, env);
    }
    if (res.IsDefined()) results.push_back(std::move(res));
  }
  if (last && results.size() == 1 && results[0].IsArray() && !results[0].IsSequence()) {
    return results[0];
  }
  Value seq = MakeSequence();
  auto& out = seq.MutableArray().items;
  for (auto& r : results) {
    if (r.IsArray() && !r.AsArray().cons) {
      const auto& src = r.AsArray().items;
      out.insert(out.end(), src.begin(), src.end());
    } else {
      out.push_back(std::move(r));
    }
  }
  return seq;
}

Value Evaluator::ApplyFilter(const Node* predicate, const Value& input, Frame* env) {
  Value result = MakeSequence();
  auto& out = result.MutableArray().items;
  std::vector<Value> single;
  const std::vector<Value>* items = nullptr;
  if (input.IsArray()) {
    items = &input.AsArray().items;
  } else {
    if (input.IsDefined()) single.push_back(input);
    items = &single;
  }
  if (predicate->kind == NodeKind::kLiteral && predicate->literal.IsNumber()) {
    auto index = static_cast<int64_t>(std::floor(predicate->literal.AsNumber()));
    if (index < 0) index += static_cast<int64_t>(items->size());
    if (index >= 0 && index < static_cast<int64_t>(items->size())) {
      const Value& item = (*items)[static_cast<size_t>(index)];
      if (item.IsArray()) return item;
      out.push_back(item);
    }
    return result;
  }
  std::vector<double> indexes;
  for (size_t i = 0; i < items->size(); ++i) {
    const Value& item = (*items)[i];
    Value res = Evaluate(predicate, item, env);
    indexes.clear();
    if (NumericIndexes(res, &indexes)) {
      if (IndexSelected(indexes, i, items->size())) out.push_back(item);
    } else if (ToBoolean(res)) {
      out.push_back(item);
    }
  }
  return result;
}

Frame* Evaluator::TupleFrame(Frame* env, const Tuple& t) {
  if (t.binds.empty()) return env;
  Frame* f = NewFrame(env);
  for (const auto& [k, v] : t.binds) f->Bind(k, v);
  return f;
}

std::vector<Evaluator::Tuple> Evaluator::FilterTuples(const Node* predicate,
                                                      std::vector<Tuple> input, Frame* env) {
  std::vector<Tuple> out;
  std::vector<double> indexes;
  for (size_t i = 0; i < input.size(); ++i) {
    Value res;
    if (predicate->kind == NodeKind::kLiteral && predicate->literal.IsNumber()) {
      res = predicate->literal;
    } else {
      res = Evaluate(predicate, input[i].at, TupleFrame(env, input[i]));
    }
    indexes.clear();
    if (NumericIndexes(res, &indexes)) {
      if (IndexSelected(indexes, i, input.size())) out.push_back(input[i]);
    } else if (ToBoolean(res)) {
      out.push_back(input[i]);
    }
  }
  return out;
}

Value Evaluator::EvaluateTuplePath(const Node* n, const Value& input, Frame* env) {
  std::vector<Tuple> tuples;
  tuples.push_back(Tuple{input, {}});
  for (size_t k = 0; k < n->items.size(); ++k) {
    const Node* step = n->items[k].get();
    std::vector<Tuple> next;
    if (step->kind == NodeKind::kSort) {
      std::vector<Value> contexts;
      std::vector<Frame*> envs;
      for (const auto& t : tuples) {
        contexts.push_back(t.at);
        envs.push_back(TupleFrame(env, t));
      }
      for (size_t i : SortOrder(step, contexts, envs, env)) next.push_back(tuples[i]);
      if (!step->index_var.empty()) {
        for (size_t i = 0; i < next.size(); ++i) {
          next[i].binds.emplace_back(step->index_var, Value::Number(static_cast<double>(i)));
        }
      }
    } else {
      for (const auto& t : tuples) {
        Frame* frame = TupleFrame(env, t);
        Value res = Evaluate(step, t.at, frame, true);
        if (res.IsUndefined()) continue;
        if (IsTupleStream(res)) {
          for (const auto& inner : res.AsArray().items) {
            Tuple nt = t;
            for (const auto& [name, v] : inner.AsObject().entries) {
              if (name == "@") {
                nt.at = v;
              } else {
                nt.binds.emplace_back(name, v);
              }
            }
            next.push_back(std::move(nt));
          }
          continue;
        }
        std::vector<Value> items;
        if (res.IsArray()) {
          items = res.AsArray().items;
        } else {
          items.push_back(res);
        }
        for (size_t b = 0; b < items.size(); ++b) {
          Tuple nt = t;
          if (!step->focus_var.empty()) {
            nt.binds.emplace_back(step->focus_var, items[b]);
          } else {
            nt.at = items[b];
          }
          if (!step->index_var.empty()) {
            nt.binds.emplace_back(step->index_var, Value::Number(static_cast<double>(b)));
          }
          if (!step->ancestor_label.empty()) nt.binds.emplace_back(step->ancestor_label, t.at);
          next.push_back(std::move(nt));
        }
      }
    }
    for (const auto& stage : step->stages) {
      if (stage.filter) {
        next = FilterTuples(stage.filter.get(), std::move(next), env);
      } else {
        for (size_t i = 0; i < next.size(); ++i) {
          next[i].binds.emplace_back(stage.index_var, Value::Number(static_cast<double>(i)));
        }
      }
    }
    tuples = std::move(next);
    if (tuples.empty()) break;
  }
  if (n->group) {
    std::vector<Value> contexts;
    std::vector<Frame*> envs;
    for (const auto& t : tuples) {
      contexts.push_back(t.at);
      envs.push_back(TupleFrame(env, t));
    }
    return EvaluateGroup(n->group.get(), contexts, envs, env);
  }
  Value result = MakeSequence();
  auto& out = result.MutableArray().items;
  if (n->emit_tuples) {
    result.MutableArray().tuple_stream = true;
    for (auto& t : tuples) {
      auto obj = std::make_shared<ObjectData>();
      obj->Set("@", t.at);
      for (auto& [k, v] : t.binds) obj->Set(k, v);
      out.push_back(Value::FromObject(std::move(obj)));
    }
    return result;
  }
  for (auto& t : tuples) {
    if (t.at.IsDefined()) out.push_back(t.at);
  }
  if (n->keep_singleton) result.MutableArray().keep_singleton = true;
  return result;
}

std::vector<size_t> Evaluator::SortOrder(const Node* sort, const std::vector<Value>& contexts,
                                         const std::vector<Frame*>& envs, Frame* env) {
  size_t terms = sort->sort_terms.size();
  std::vector<std::vector<Value>> keys(contexts.size());
  for (size_t i = 0; i < contexts.size(); ++i) {
    Frame* frame = envs.empty() ? env : envs[i];
    for (const auto& term : sort->sort_terms) {
      keys[i].push_back(Evaluate(term.expr.get(), contexts[i], frame));
    }
  }
  for (size_t t = 0; t < terms; ++t) {
    for (size_t i = 0; i < contexts.size(); ++i) {
      const Value& k = keys[i][t];
      if (k.IsDefined() && !k.IsNumber() && !k.IsString()) {
        Fail("T2008", sort->position, std::nullopt, k);
      }
    }
    // Keys of one term must all be numbers or all strings.
    const Value* first = nullptr;
    for (size_t i = 0; i < contexts.size(); ++i) {
      const Value& k = keys[i][t];
      if (k.IsUndefined()) continue;
      if (first == nullptr) {
        first = &k;
      } else if (first->type() != k.type()) {
        Fail("T2007", sort->position, std::nullopt, *first, k);
      }
    }
  }
  std::vector<size_t> order(contexts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    for (size_t t = 0; t < terms; ++t) {
      const Value& ka = keys[a][t];
      const Value& kb = keys[b][t];
      if (ka.IsUndefined() && kb.IsUndefined()) continue;
      if (ka.IsUndefined()) return false;
      if (kb.IsUndefined()) return true;
      int cmp = 0;
      if (ka.IsNumber()) {
        cmp = ka.AsNumber() < kb.AsNumber() ? -1 : (ka.AsNumber() > kb.AsNumber() ? 1 : 0);
      } else {
        int c = ka.AsString().compare(kb.AsString());
        cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
      }
      if (cmp == 0) continue;
      if (sort->sort_terms[t].descending) cmp = -cmp;
      return cmp < 0;
    }
    return false;
  });
  return order;
}

// One context item (the usual object constructor inside a path step): no grouping needed.
Value Evaluator::GroupSingle(const Node* group, const Value& item, Frame* env) {
  if (group->literal_keys) {
    // Keys known at compile time: only the values are evaluated.
    auto obj = std::make_shared<ObjectData>();
    obj->Reserve(group->pairs.size());
    for (const auto& [key, value_node] : group->pairs) {
      Value v = Evaluate(value_node.get(), item, env);
      if (v.IsDefined()) obj->Append(key->literal.AsString(), std::move(v));
    }
    return Value::FromObject(std::move(obj));
  }
  // Keys are evaluated first (all of them, as grouping does), then the values. Most
  // constructors have a few pairs: their keys stay on the stack.
  constexpr size_t kInline = 16;
  const size_t count = group->pairs.size();
  std::array<Value, kInline> inline_keys;
  std::vector<Value> heap_keys;
  Value* keys = inline_keys.data();
  if (count > kInline) {
    heap_keys.resize(count);
    keys = heap_keys.data();
  }
  size_t defined = 0;
  for (size_t p = 0; p < count; ++p) {
    const Node* key_node = group->pairs[p].first.get();
    Value key = Evaluate(key_node, item, env);
    if (key.IsUndefined()) continue;
    if (!key.IsString()) Fail("T1003", key_node->position, std::nullopt, key);
    for (size_t q = 0; q < p; ++q) {
      if (keys[q].IsDefined() && keys[q].AsString() == key.AsString()) {
        Fail("D1009", key_node->position, std::nullopt, key);
      }
    }
    keys[p] = std::move(key);
    ++defined;
  }
  auto obj = std::make_shared<ObjectData>();
  obj->Reserve(defined);
  for (size_t p = 0; p < count; ++p) {
    if (keys[p].IsUndefined()) continue;
    Value v = Evaluate(group->pairs[p].second.get(), item, env);
    if (v.IsDefined()) obj->Append(keys[p].AsString(), std::move(v));
  }
  return Value::FromObject(std::move(obj));
}

Value Evaluator::EvaluateGroup(const Node* group, const std::vector<Value>& items_in,
                               const std::vector<Frame*>& envs, Frame* env) {
  struct Group {
    std::string key;
    Value data;
    size_t pair = 0;
    std::vector<size_t> members;
  };
  if (items_in.size() <= 1 && envs.empty()) {
    return GroupSingle(group, items_in.empty() ? Value() : items_in[0], env);
  }
  std::vector<Value> items = items_in;
  if (items.empty()) items.emplace_back();
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < items.size(); ++i) {
    Frame* frame = envs.empty() ? env : envs[i];
    for (size_t p = 0; p < group->pairs.size(); ++p) {
      Value key = Evaluate(group->pairs[p].first.get(), items[i], frame);
      if (key.IsUndefined()) continue;
      if (!key.IsString()) Fail("T1003", group->pairs[p].first->position, std::nullopt, key);
      auto it = index.find(key.AsString());
      if (it == index.end()) {
        index.emplace(key.AsString(), groups.size());
        groups.push_back(Group{key.AsString(), items[i], p, {i}});
      } else {
        Group& g = groups[it->second];
        if (g.pair != p) Fail("D1009", group->pairs[p].first->position, std::nullopt, key);
        g.data = AppendValues(g.data, items[i]);
        g.members.push_back(i);
      }
    }
  }
  auto obj = std::make_shared<ObjectData>();
  for (const auto& g : groups) {
    Frame* frame = env;
    if (!envs.empty()) {
      // Merge the tuple bindings of the group's members.
      frame = NewFrame(env);
      std::vector<std::pair<std::string, Value>> merged;
      for (size_t m : g.members) {
        for (const Frame* f = envs[m]; f != nullptr && f != env; f = f->parent()) {
          for (const auto& [name, v] : f->vars()) {
            auto it = std::find_if(merged.begin(), merged.end(),
                                   [&](const auto& e) { return e.first == name; });
            if (it == merged.end()) {
              merged.emplace_back(name, v);
            } else if (m != g.members.front()) {
              it->second = AppendValues(it->second, v);
            }
          }
        }
      }
      for (auto& [name, v] : merged) frame->Bind(name, v);
    }
    Value v = Evaluate(group->pairs[g.pair].second.get(), g.data, frame);
    if (v.IsDefined()) obj->Set(g.key, std::move(v));
  }
  return Value::FromObject(std::move(obj));
}

}  // namespace flowstate::query::jsonata

// Frame: one lexical scope of variable bindings. Frames live in the evaluation's arena
// (Evaluator) and are linked to their enclosing scope; lambdas capture the frame they were
// defined in.
#pragma once
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include <boost/container/small_vector.hpp>

#include "query/jsonata/value.h"

namespace flowstate::query::jsonata {

class Frame {
 public:
  // Most scopes bind a few names (the globals: `$states`, `$`): they stay inline.
  using Vars = boost::container::small_vector<std::pair<std::string, Value>, 4>;

  explicit Frame(Frame* parent) : parent_(parent) {}
  const Value* Lookup(std::string_view name) const {
    for (const Frame* f = this; f != nullptr; f = f->parent_) {
      for (auto it = f->vars_.rbegin(); it != f->vars_.rend(); ++it) {
        if (SameName(it->first, name)) return &it->second;
      }
    }
    return nullptr;
  }
  void Bind(std::string_view name, Value value) {
    for (auto& [k, v] : vars_) {
      if (k == name) {
        v = std::move(value);
        return;
      }
    }
    vars_.emplace_back(std::string(name), std::move(value));
  }
  // Binds a name without Bind's search for an earlier binding in this scope: for a scope being
  // filled with distinct names (a repeated name would shadow the earlier one, as Bind does).
  void Define(std::string_view name, Value value) {
    vars_.emplace_back(std::piecewise_construct, std::forward_as_tuple(name),
                       std::forward_as_tuple(std::move(value)));
  }
  void Reserve(size_t count) { vars_.reserve(count); }
  Frame* parent() const { return parent_; }
  // A closure refers to this scope (and so to its ancestors): it must outlive the call.
  void MarkCaptured() {
    for (Frame* f = this; f != nullptr && !f->captured_; f = f->parent_) f->captured_ = true;
  }
  bool captured() const { return captured_; }
  // Reuse for a new scope (the evaluator recycles scopes no closure captured).
  void Reset(Frame* parent) {
    parent_ = parent;
    vars_.clear();
    captured_ = false;
  }
  const Vars& vars() const { return vars_; }

 private:
  Frame* parent_;
  bool captured_ = false;
  Vars vars_;
};

}  // namespace flowstate::query::jsonata

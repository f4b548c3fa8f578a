// Frame: one lexical scope of variable bindings. Frames live in the evaluation's arena
// (Evaluator) and are linked to their enclosing scope; lambdas capture the frame they were
// defined in.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "query/jsonata/value.h"

namespace flowstate::query::jsonata {

class Frame {
 public:
  explicit Frame(Frame* parent) : parent_(parent) {}
  const Value* Lookup(std::string_view name) const {
    for (const Frame* f = this; f != nullptr; f = f->parent_) {
      for (auto it = f->vars_.rbegin(); it != f->vars_.rend(); ++it) {
        if (it->first == name) return &it->second;
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
  const std::vector<std::pair<std::string, Value>>& vars() const { return vars_; }

 private:
  Frame* parent_;
  bool captured_ = false;
  std::vector<std::pair<std::string, Value>> vars_;
};

}  // namespace flowstate::query::jsonata

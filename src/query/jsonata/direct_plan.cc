#include "query/jsonata/direct_plan.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

#include <boost/container/small_vector.hpp>

#include "json/compact_text.h"
#include "json/discard.h"
#include "json/json.h"
#include "query/jsonata/functions.h"

namespace flowstate::query::jsonata {

struct DirectPlan::Op {
  enum class Kind {
    kConstant,   // constant
    kPath,       // root, root_name, fields
    kObject,     // keys, args: values
    kArray,      // args: items
    kMerge,      // args[0]: the argument
    kBinary,     // op, args[0], args[1]
    kNegate,     // args[0]
    kCondition,  // args: condition, then[, else]
    kCoalesce,   // args[0] ?? args[1]
    kElvis,      // args[0] ?: args[1]
  };
  enum class Root { kInput, kResult, kErrorOutput, kVariable };

  Kind kind = Kind::kConstant;
  json::Json constant;
  Root root = Root::kInput;
  std::string root_name;  // kVariable: the name without `$`
  std::vector<std::string> fields;
  std::vector<std::string> keys;
  std::vector<std::unique_ptr<Op>> args;
  std::string op;
};

namespace {

using Op = DirectPlan::Op;
using Outcome = DirectPlan::Outcome;
using Scope = DirectPlan::Scope;

// Past this depth a document is left to the evaluator (which bounds its own recursion).
constexpr int kMaxCopyDepth = 200;
constexpr size_t kMaxMergeLookups = 4096;
constexpr double kMaxSafeInteger = 9007199254740992.0;  // 2^53

// A value read during evaluation: either a document in the scope (borrowed, numbers not yet
// in the evaluator's form) or one built here.
struct Operand {
  const json::Json* at = nullptr;  // null: undefined
  json::Json owned;
};

// A number as the evaluator holds it (FromJson) and writes it back (ToJson).
void PutNumber(double d, json::Json& out) { ToJson(Value::Number(d), out); }

double NumberOf(const json::Json& j) { return j.get<double>(); }

// `out` (null on entry) = ToJson(FromJson(src)): the same document with each number as the
// evaluator gives it back (integral values below 2^53 as integers, the rest as doubles).
bool CopyAsEvaluated(const json::Json& src, json::Json& out, int depth = 0) {
  switch (src.type()) {
    case json::Json::value_t::number_integer:
    case json::Json::value_t::number_unsigned:
    case json::Json::value_t::number_float:
      PutNumber(NumberOf(src), out);
      return true;
    case json::Json::value_t::array: {
      if (depth >= kMaxCopyDepth) return false;
      out = json::Json::array();
      auto& items = out.get_ref<json::Json::array_t&>();
      items.reserve(src.size());
      for (const json::Json& item : src) {
        if (!CopyAsEvaluated(item, items.emplace_back(), depth + 1)) return false;
      }
      return true;
    }
    case json::Json::value_t::object: {
      if (depth >= kMaxCopyDepth) return false;
      out = json::Json::object();
      out.get_ref<json::Json::object_t&>().reserve(src.size());
      for (auto it = src.begin(); it != src.end(); ++it) {
        if (!CopyAsEvaluated(it.value(), json::AppendMember(out, it.key(), json::Json()),
                             depth + 1)) {
          return false;
        }
      }
      return true;
    }
    default:
      out = src;
      return true;
  }
}

// Whether `doc` is its own ToJson(FromJson(doc)) as text: no integral float (2.0 comes back as
// 2) and no integer beyond 2^53 (it comes back as a double). Iterative: documents may be deep.
bool AsEvaluated(const json::Json& doc) {
  boost::container::small_vector<const json::Json*, 32> pending{&doc};
  while (!pending.empty()) {
    const json::Json& at = *pending.back();
    pending.pop_back();
    switch (at.type()) {
      case json::Json::value_t::number_integer:
      case json::Json::value_t::number_unsigned:
      case json::Json::value_t::number_float: {
        const double d = NumberOf(at);
        const bool changes = std::fabs(d) >= kMaxSafeInteger
                                 ? !at.is_number_float()
                                 : std::floor(d) == d && at.is_number_float();
        if (changes) return false;
        break;
      }
      case json::Json::value_t::array:
        for (const json::Json& item : at) pending.push_back(&item);
        break;
      case json::Json::value_t::object:
        for (auto it = at.begin(); it != at.end(); ++it) pending.push_back(&it.value());
        break;
      default:
        break;
    }
  }
  return true;
}

// JSONata's truthiness for the types a plan decides on; -1 for an array or object (whose
// truthiness depends on their items: left to the evaluator).
int Truthiness(const json::Json* value) {
  if (value == nullptr || value->is_null()) return 0;
  if (value->is_boolean()) return value->get<bool>() ? 1 : 0;
  if (value->is_number()) return NumberOf(*value) != 0 ? 1 : 0;
  if (value->is_string()) return value->get_ref<const std::string&>().empty() ? 0 : 1;
  return -1;
}

bool Plain(const Node& n) {
  return n.stages.empty() && !n.group && !n.keep_array && !n.cons_array && n.focus_var.empty() &&
         n.index_var.empty() && n.ancestor_label.empty() && !n.tuple && !n.keep_singleton &&
         !n.tuple_path && !n.emit_tuples;
}

std::unique_ptr<Op> CompileOp(const Node& n);

std::unique_ptr<Op> CompilePath(const Node& n) {
  if (!n.simple_names || n.items.size() < 2) return nullptr;
  const Node& first = *n.items[0];
  if (first.kind != NodeKind::kVariable || first.str.empty()) return nullptr;
  auto op = std::make_unique<Op>();
  op->kind = Op::Kind::kPath;
  size_t next = 1;
  if (first.str == "states") {
    const std::string& member = n.items[1]->str;
    if (member == "input") {
      op->root = Op::Root::kInput;
    } else if (member == "result") {
      op->root = Op::Root::kResult;
    } else if (member == "errorOutput") {
      op->root = Op::Root::kErrorOutput;
    } else {
      return nullptr;  // `$states.context` is built on demand by the evaluator's caller
    }
    next = 2;
  } else {
    op->root = Op::Root::kVariable;
    op->root_name = first.str;
  }
  for (size_t i = next; i < n.items.size(); ++i) op->fields.push_back(n.items[i]->str);
  return op;
}

std::unique_ptr<Op> CompileVariable(const Node& n) {
  if (n.str.empty() || n.str == "states") return nullptr;
  auto op = std::make_unique<Op>();
  op->kind = Op::Kind::kPath;
  op->root = Op::Root::kVariable;
  op->root_name = n.str;
  return op;
}

bool CompileArgs(const std::vector<const Node*>& nodes, Op& op) {
  for (const Node* node : nodes) {
    auto arg = CompileOp(*node);
    if (arg == nullptr) return false;
    op.args.push_back(std::move(arg));
  }
  return true;
}

std::unique_ptr<Op> CompileOp(const Node& n) {
  if (!Plain(n)) return nullptr;
  auto op = std::make_unique<Op>();
  switch (n.kind) {
    case NodeKind::kLiteral:
      if (n.literal.IsArray() || n.literal.IsFunction() || n.literal.IsUndefined()) return nullptr;
      op->kind = Op::Kind::kConstant;
      ToJson(n.literal, op->constant);
      return op;
    case NodeKind::kPath:
      return CompilePath(n);
    case NodeKind::kVariable:
      return CompileVariable(n);
    case NodeKind::kObject: {
      if (!n.literal_keys) return nullptr;
      op->kind = Op::Kind::kObject;
      std::vector<const Node*> values;
      for (const auto& [key, value] : n.pairs) {
        op->keys.push_back(key->literal.AsString());
        values.push_back(value.get());
      }
      if (!CompileArgs(values, *op)) return nullptr;
      return op;
    }
    case NodeKind::kArray: {
      op->kind = Op::Kind::kArray;
      std::vector<const Node*> items;
      for (const auto& item : n.items) items.push_back(item.get());
      if (!CompileArgs(items, *op)) return nullptr;
      return op;
    }
    case NodeKind::kCall: {
      const Node* callee = n.lhs.get();
      if (n.is_partial || n.items.size() != 1 || callee == nullptr ||
          callee->kind != NodeKind::kVariable || callee->str != "merge" ||
          callee->builtin == nullptr || !Plain(*callee)) {
        return nullptr;
      }
      op->kind = Op::Kind::kMerge;
      op->root_name = callee->str;
      if (!CompileArgs({n.items[0].get()}, *op)) return nullptr;
      return op;
    }
    case NodeKind::kBinary: {
      static constexpr std::string_view kOps[] = {
          "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&", "and", "or"};
      bool known = false;
      for (std::string_view known_op : kOps) known |= n.str == known_op;
      if (!known) return nullptr;
      op->kind = Op::Kind::kBinary;
      op->op = n.str;
      if (!CompileArgs({n.lhs.get(), n.rhs.get()}, *op)) return nullptr;
      return op;
    }
    case NodeKind::kNegate:
      op->kind = Op::Kind::kNegate;
      if (!CompileArgs({n.lhs.get()}, *op)) return nullptr;
      return op;
    case NodeKind::kCondition: {
      op->kind = Op::Kind::kCondition;
      std::vector<const Node*> parts = {n.lhs.get(), n.rhs.get()};
      if (n.third) parts.push_back(n.third.get());
      if (!CompileArgs(parts, *op)) return nullptr;
      return op;
    }
    case NodeKind::kBlock:
      // `(expr)`: a block of one expression binds nothing.
      if (n.items.size() != 1) return nullptr;
      return CompileOp(*n.items[0]);
    case NodeKind::kCoalesce:
    case NodeKind::kElvis:
      op->kind = n.kind == NodeKind::kCoalesce ? Op::Kind::kCoalesce : Op::Kind::kElvis;
      if (!CompileArgs({n.lhs.get(), n.rhs.get()}, *op)) return nullptr;
      return op;
    default:
      return nullptr;
  }
}

class Runner {
 public:
  // Only the root $merge may take the input: an inner one would take it from under the
  // items read after it.
  Runner(const Scope& scope, bool may_take_input)
      : scope_(scope), consumable_input_(may_take_input ? scope.consumable_input : nullptr) {}

  // Builds the value of `op` into `out` (null on entry).
  Outcome Build(const Op& op, json::Json& out) {
    switch (op.kind) {
      case Op::Kind::kConstant:
        out = op.constant;
        return Outcome::kValue;
      case Op::Kind::kPath: {
        const json::Json* at = nullptr;
        if (Outcome o = Walk(op, at); o != Outcome::kValue) return o;
        return CopyAsEvaluated(*at, out) ? Outcome::kValue : Outcome::kDecline;
      }
      case Op::Kind::kObject:
        return BuildObject(op, out);
      case Op::Kind::kArray:
        return BuildArray(op, out);
      case Op::Kind::kMerge:
        return BuildMerge(op, out);
      default: {
        Operand value;
        if (Outcome o = Read(op, value); o != Outcome::kValue) return o;
        if (value.at == &value.owned) {
          out = std::move(value.owned);
          return Outcome::kValue;
        }
        return CopyAsEvaluated(*value.at, out) ? Outcome::kValue : Outcome::kDecline;
      }
    }
  }

 private:
  // Reads `op`'s value without copying a document it finds in the scope. kUndefined leaves
  // `value.at` null.
  Outcome Read(const Op& op, Operand& value) {
    switch (op.kind) {
      case Op::Kind::kPath:
        return Walk(op, value.at);
      case Op::Kind::kBinary:
        return Binary(op, value);
      case Op::Kind::kNegate: {
        Operand operand;
        if (Outcome o = Read(*op.args[0], operand); o != Outcome::kValue) return o;
        if (!operand.at->is_number()) return Outcome::kDecline;
        return Number(-NumberOf(*operand.at), value);
      }
      case Op::Kind::kCondition: {
        Operand condition;
        Outcome o = Read(*op.args[0], condition);
        if (o == Outcome::kDecline) return o;
        int truth = Truthiness(condition.at);
        if (truth < 0) return Outcome::kDecline;
        if (truth == 1) return Read(*op.args[1], value);
        if (op.args.size() > 2) return Read(*op.args[2], value);
        return Outcome::kUndefined;
      }
      case Op::Kind::kCoalesce: {
        Outcome o = Read(*op.args[0], value);
        if (o != Outcome::kUndefined) return o;
        value = Operand();
        return Read(*op.args[1], value);
      }
      case Op::Kind::kElvis: {
        Outcome o = Read(*op.args[0], value);
        if (o == Outcome::kDecline) return o;
        int truth = Truthiness(value.at);
        if (truth < 0) return Outcome::kDecline;
        if (truth == 1) return o;
        value = Operand();
        return Read(*op.args[1], value);
      }
      default: {
        Outcome o = Build(op, value.owned);
        if (o == Outcome::kValue) value.at = &value.owned;
        return o;
      }
    }
  }

  // Follows a plain field path. An array on the way (or at the root of a variable's value)
  // is mapped over by JSONata: left to the evaluator.
  Outcome Walk(const Op& op, const json::Json*& found) {
    found = nullptr;
    const json::Json* at = nullptr;
    switch (op.root) {
      case Op::Root::kInput:
        at = scope_.input;
        break;
      case Op::Root::kResult:
        at = scope_.result;
        break;
      case Op::Root::kErrorOutput:
        at = scope_.error_output;
        break;
      case Op::Root::kVariable:
        if (Outcome o = Variable(op.root_name, at); o != Outcome::kValue) return o;
        break;
    }
    for (const std::string& field : op.fields) {
      if (at == nullptr) return Outcome::kUndefined;
      if (at->is_array()) return Outcome::kDecline;
      if (!at->is_object()) return Outcome::kUndefined;
      auto it = at->find(field);
      at = it == at->end() ? nullptr : &*it;
    }
    if (at == nullptr) return Outcome::kUndefined;
    found = at;
    return Outcome::kValue;
  }

  Outcome Variable(const std::string& name, const json::Json*& at) {
    if (scope_.variables != nullptr && scope_.variables->is_object()) {
      auto it = scope_.variables->find(name);
      if (it != scope_.variables->end()) {
        at = &*it;
        return Outcome::kValue;
      }
    }
    // Unbound: a function of that name, or undefined.
    if (IsFunction(name)) return Outcome::kDecline;
    at = nullptr;
    return Outcome::kUndefined;
  }

  bool IsFunction(const std::string& name) const {
    if (scope_.functions != nullptr && scope_.functions->count(name) != 0) return true;
    return BuiltinFunctions().count(name) != 0;
  }

  // Each member is built where it ends up; one that turns out undefined is dropped again.
  Outcome BuildObject(const Op& op, json::Json& out) {
    out = json::Json::object();
    auto& members = out.get_ref<json::Json::object_t&>();
    members.reserve(op.keys.size());
    for (size_t i = 0; i < op.keys.size(); ++i) {
      json::Json& value = json::AppendMember(out, op.keys[i], json::Json());
      Outcome o = Build(*op.args[i], value);
      if (o == Outcome::kDecline) return o;
      if (o == Outcome::kUndefined) {
        json::Discard(value);
        members.pop_back();
      }
    }
    return Outcome::kValue;
  }

  // An array constructor keeps the items of a nested constructor together but flattens any
  // other array into itself: those are left to the evaluator.
  Outcome BuildArray(const Op& op, json::Json& out) {
    out = json::Json::array();
    auto& items = out.get_ref<json::Json::array_t&>();
    items.reserve(op.args.size());
    for (const auto& arg : op.args) {
      json::Json& value = items.emplace_back();
      Outcome o = Build(*arg, value);
      if (o == Outcome::kDecline) return o;
      if (o == Outcome::kUndefined || (value.is_array() && arg->kind != Op::Kind::kArray)) {
        json::Discard(value);
        items.pop_back();
        if (o == Outcome::kValue) return Outcome::kDecline;
      }
    }
    return Outcome::kValue;
  }

  // One object given to $merge: an object constructor's members, built straight into the
  // result, or any other value, which must be an object.
  struct MergeItem {
    const Op* constructor = nullptr;
    boost::container::small_vector<json::Json, 4> values;  // the constructor's, in key order
    boost::container::small_vector<bool, 4> defined;       // undefined members are left out
    Operand object;                                        // any other item
  };
  using MergeItems = boost::container::small_vector<MergeItem, 4>;

  // $merge(objects): a key keeps the place of its first appearance and takes the value of its
  // last. Everything is read and built before the result is touched, so a decline loses
  // nothing; then each value is moved (built here) or copied (read from the scope) once.
  Outcome BuildMerge(const Op& op, json::Json& out) {
    json::Json* const consumable_input = std::exchange(consumable_input_, nullptr);
    if (IsShadowed(op.root_name)) return Outcome::kDecline;
    const Op& arg = *op.args[0];
    MergeItems items;
    if (arg.kind == Op::Kind::kArray) {
      items.resize(arg.args.size());
      for (size_t i = 0; i < arg.args.size(); ++i) {
        if (Outcome o = ReadMergeItem(*arg.args[i], items[i]); o == Outcome::kDecline) {
          return Discarded(items, o);
        }
      }
    } else {
      // A single value: undefined stays undefined, an object is copied.
      Outcome o = ReadMergeItem(arg, items.emplace_back());
      if (o != Outcome::kValue) return Discarded(items, o);
    }
    // The state input itself, when the caller gives it up, is taken instead of copied: only if
    // it comes first and no later item could point into it.
    size_t first = 0;
    while (first < items.size() && items[first].constructor == nullptr &&
           items[first].object.at == nullptr) {
      ++first;
    }
    const bool take_input =
        first < items.size() && consumable_input != nullptr &&
        items[first].object.at == scope_.input && scope_.input == consumable_input &&
        std::all_of(items.begin() + static_cast<std::ptrdiff_t>(first) + 1, items.end(),
                    [](const MergeItem& item) {
                      return item.constructor != nullptr || item.object.at == nullptr ||
                             item.object.at == &item.object.owned;
                    }) &&
        Growth(items, first + 1) <= scope_.take_budget && AsEvaluated(*consumable_input);
    size_t lookups = 0;
    size_t members = 0;
    for (const MergeItem& item : items) {
      const size_t size = item.constructor != nullptr ? item.values.size()
                          : item.object.at != nullptr ? item.object.at->size()
                                                      : 0;
      lookups += members * size;
      members += size;
    }
    if (lookups > kMaxMergeLookups) return Discarded(items, Outcome::kDecline);

    // Pass 1: the keys in order, each with the item member that gives its value.
    struct Source {
      MergeItem* item = nullptr;  // null: the taken input's own value stays
      size_t index = 0;           // constructor: member index
      json::Json* member = nullptr;
    };
    boost::container::small_vector<Source, 8> sources;
    size_t next = 0;
    if (take_input) {
      out = std::move(*consumable_input);
      sources.resize(out.size());
      next = first + 1;
    } else {
      out = json::Json::object();
    }
    auto& slots = out.get_ref<json::Json::object_t&>();
    slots.reserve(members);
    auto place = [&](std::string_view key, const Source& source, size_t earlier) {
      size_t slot = 0;
      while (slot < earlier && slots.begin()[slot].first != key) ++slot;
      if (slot < earlier) {
        sources[slot] = source;
      } else {
        json::AppendMember(out, key, json::Json());
        sources.push_back(source);
      }
    };
    for (size_t i = next; i < items.size(); ++i) {
      MergeItem& item = items[i];
      const size_t earlier = slots.size();  // the keys of one object are distinct
      if (item.constructor != nullptr) {
        for (size_t k = 0; k < item.values.size(); ++k) {
          if (item.defined[k]) place(item.constructor->keys[k], {&item, k, nullptr}, earlier);
        }
      } else if (item.object.at != nullptr) {
        for (auto it = item.object.at->begin(); it != item.object.at->end(); ++it) {
          place(it.key(), {&item, 0, const_cast<json::Json*>(&it.value())}, earlier);
        }
      }
    }
    // Pass 2: the values. Only a copy from the scope can fail (too deep), and then nothing was
    // taken: the input is taken only when every later item was built here.
    bool copied = true;
    for (size_t slot = 0; slot < slots.size() && copied; ++slot) {
      const Source& source = sources[slot];
      if (source.item == nullptr) continue;
      json::Json& value = slots.begin()[slot].second;
      json::Discard(value);
      if (source.item->constructor != nullptr) {
        value = std::move(source.item->values[source.index]);
      } else if (source.item->object.at == &source.item->object.owned) {
        value = std::move(*source.member);
      } else {
        copied = CopyAsEvaluated(*source.member, value);
      }
    }
    return Discarded(items, copied ? Outcome::kValue : Outcome::kDecline);
  }

  // At most how many bytes the items from `from` on add to the compact text of an object they
  // are merged into (a replaced member's old value is not subtracted). Counted only against a
  // payload limit: SIZE_MAX budgets skip it.
  size_t Growth(const MergeItems& items, size_t from) const {
    if (scope_.take_budget == SIZE_MAX) return 0;
    size_t growth = 0;
    auto add = [&growth](std::string_view key, const json::Json& value) {
      // The key (each byte escaped to at most 6), quotes, colon, comma.
      growth += 6 * key.size() + 4 + json::CompactTextSize(value);
    };
    for (size_t i = from; i < items.size(); ++i) {
      const MergeItem& item = items[i];
      if (item.constructor != nullptr) {
        for (size_t k = 0; k < item.values.size(); ++k) {
          if (item.defined[k]) add(item.constructor->keys[k], item.values[k]);
        }
      } else if (item.object.at != nullptr) {
        for (auto it = item.object.at->begin(); it != item.object.at->end(); ++it) {
          add(it.key(), it.value());
        }
      }
    }
    return growth;
  }

  Outcome ReadMergeItem(const Op& op, MergeItem& item) {
    if (op.kind == Op::Kind::kObject) {
      item.constructor = &op;
      item.values.resize(op.keys.size());
      item.defined.resize(op.keys.size());
      for (size_t k = 0; k < op.keys.size(); ++k) {
        Outcome o = Build(*op.args[k], item.values[k]);
        if (o == Outcome::kDecline) return o;
        item.defined[k] = o == Outcome::kValue;
      }
      return Outcome::kValue;
    }
    Outcome o = Read(op, item.object);
    if (o == Outcome::kValue && !item.object.at->is_object()) return Outcome::kDecline;
    return o;
  }

  // Frees the documents built for `items` (cheaper than nlohmann's destructor) and passes
  // `outcome` on.
  static Outcome Discarded(MergeItems& items, Outcome outcome) {
    for (MergeItem& item : items) {
      for (json::Json& value : item.values) json::Discard(value);
      json::Discard(item.object.owned);
    }
    return outcome;
  }

  // A workflow variable or an extra function named like a built-in replaces it.
  bool IsShadowed(const std::string& name) const {
    if (scope_.functions != nullptr && scope_.functions->count(name) != 0) return true;
    return scope_.variables != nullptr && scope_.variables->is_object() &&
           scope_.variables->contains(name);
  }

  Outcome Number(double d, Operand& value) {
    if (!std::isfinite(d)) return Outcome::kDecline;
    PutNumber(d, value.owned);
    value.at = &value.owned;
    return Outcome::kValue;
  }

  Outcome Bool(bool b, Operand& value) {
    value.owned = b;
    value.at = &value.owned;
    return Outcome::kValue;
  }

  Outcome Binary(const Op& op, Operand& value) {
    const std::string& name = op.op;
    Operand lhs;
    Operand rhs;
    if (name == "and" || name == "or") {
      if (Read(*op.args[0], lhs) == Outcome::kDecline) return Outcome::kDecline;
      int left = Truthiness(lhs.at);
      if (left < 0) return Outcome::kDecline;
      if ((name == "and") != (left == 1)) return Bool(left == 1, value);
      if (Read(*op.args[1], rhs) == Outcome::kDecline) return Outcome::kDecline;
      int right = Truthiness(rhs.at);
      if (right < 0) return Outcome::kDecline;
      return Bool(right == 1, value);
    }
    if (Read(*op.args[0], lhs) == Outcome::kDecline ||
        Read(*op.args[1], rhs) == Outcome::kDecline) {
      return Outcome::kDecline;
    }
    const json::Json* a = lhs.at;
    const json::Json* b = rhs.at;
    switch (name[0]) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return Arithmetic(name[0], a, b, value);
      case '&':
        return Concatenate(a, b, value);
      case '=':
        return Equality(a, b, /*negate=*/false, value);
      case '!':
        return Equality(a, b, /*negate=*/true, value);
      default:
        return Compare(name, a, b, value);
    }
  }

  Outcome Arithmetic(char op, const json::Json* a, const json::Json* b, Operand& value) {
    if ((a != nullptr && !a->is_number()) || (b != nullptr && !b->is_number())) {
      return Outcome::kDecline;
    }
    if (a == nullptr || b == nullptr) return Outcome::kUndefined;
    const double x = NumberOf(*a);
    const double y = NumberOf(*b);
    switch (op) {
      case '+':
        return Number(x + y, value);
      case '-':
        return Number(x - y, value);
      case '*':
        return Number(x * y, value);
      case '/':
        return Number(x / y, value);
      default:
        return Number(std::fmod(x, y), value);
    }
  }

  // Strings only: anything else is stringified as JSON.stringify would, left to the evaluator.
  Outcome Concatenate(const json::Json* a, const json::Json* b, Operand& value) {
    if ((a != nullptr && !a->is_string()) || (b != nullptr && !b->is_string())) {
      return Outcome::kDecline;
    }
    const size_t size = (a != nullptr ? a->get_ref<const std::string&>().size() : 0) +
                        (b != nullptr ? b->get_ref<const std::string&>().size() : 0);
    if (size > EvalLimits{}.max_string_bytes) return Outcome::kDecline;  // the evaluator's U1001
    std::string text;
    text.reserve(size);
    if (a != nullptr) text = a->get_ref<const std::string&>();
    if (b != nullptr) text += b->get_ref<const std::string&>();
    value.owned = std::move(text);
    value.at = &value.owned;
    return Outcome::kValue;
  }

  // Scalars only: arrays and objects compare deeply, left to the evaluator.
  Outcome Equality(const json::Json* a, const json::Json* b, bool negate, Operand& value) {
    if (a == nullptr || b == nullptr) return Bool(false, value);
    if (a->is_structured() || b->is_structured()) return Outcome::kDecline;
    bool equal = false;
    if (a->is_number() && b->is_number()) {
      equal = NumberOf(*a) == NumberOf(*b);
    } else if (a->type() == b->type()) {
      equal = *a == *b;
    }
    return Bool(equal != negate, value);
  }

  Outcome Compare(const std::string& op, const json::Json* a, const json::Json* b, Operand& value) {
    auto comparable = [](const json::Json* v) {
      return v == nullptr || v->is_number() || v->is_string();
    };
    if (!comparable(a) || !comparable(b)) return Outcome::kDecline;
    if (a == nullptr || b == nullptr) return Outcome::kUndefined;
    int cmp = 0;
    if (a->is_number() && b->is_number()) {
      const double x = NumberOf(*a);
      const double y = NumberOf(*b);
      cmp = x < y ? -1 : (x > y ? 1 : 0);
    } else if (a->is_string() && b->is_string()) {
      int c = a->get_ref<const std::string&>().compare(b->get_ref<const std::string&>());
      cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
    } else {
      return Outcome::kDecline;
    }
    if (op == "<") return Bool(cmp < 0, value);
    if (op == "<=") return Bool(cmp <= 0, value);
    if (op == ">") return Bool(cmp > 0, value);
    return Bool(cmp >= 0, value);
  }

  const Scope& scope_;
  json::Json* consumable_input_;
};

}  // namespace

DirectPlan::DirectPlan(std::unique_ptr<Op> root) : root_(std::move(root)) {}
DirectPlan::~DirectPlan() = default;

std::unique_ptr<const DirectPlan> DirectPlan::Compile(const Node& root) {
  auto op = CompileOp(root);
  if (op == nullptr) return nullptr;
  return std::unique_ptr<const DirectPlan>(new DirectPlan(std::move(op)));
}

DirectPlan::Outcome DirectPlan::Evaluate(const Scope& scope, json::Json& out) const {
  Runner runner(scope, root_->kind == Op::Kind::kMerge);
  return runner.Build(*root_, out);
}

}  // namespace flowstate::query::jsonata

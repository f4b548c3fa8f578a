// Value is what JSONata expressions compute: JSON values plus `undefined` (kept apart from
// null), functions, and sequences (arrays flagged as results of path evaluation, which collapse
// to a single item or to nothing when they leave an expression). Values are immutable once
// built and share their payload by reference count, so path steps never copy documents.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "json/json_fwd.h"

namespace flowstate::query::jsonata {

enum class Type : uint8_t {
  kUndefined,
  kNull,
  kBool,
  kNumber,
  kString,
  kArray,
  kObject,
  kFunction
};

struct HeapData {
  virtual ~HeapData() = default;
};
struct StringData;
struct ArrayData;
struct ObjectData;
struct FunctionData;

class Value {
 public:
  Value() = default;
  static Value Null() { return Value(Type::kNull); }
  static Value Bool(bool b) {
    Value v(Type::kBool);
    v.bool_ = b;
    return v;
  }
  static Value Number(double d) {
    Value v(Type::kNumber);
    v.num_ = d;
    return v;
  }
  static Value String(std::string s);
  static Value FromArray(std::shared_ptr<ArrayData> a);
  static Value FromObject(std::shared_ptr<ObjectData> o);
  static Value FromFunction(std::shared_ptr<FunctionData> f);

  Type type() const { return type_; }
  bool IsUndefined() const { return type_ == Type::kUndefined; }
  bool IsDefined() const { return type_ != Type::kUndefined; }
  bool IsNull() const { return type_ == Type::kNull; }
  bool IsBool() const { return type_ == Type::kBool; }
  bool IsNumber() const { return type_ == Type::kNumber; }
  bool IsString() const { return type_ == Type::kString; }
  bool IsArray() const { return type_ == Type::kArray; }
  bool IsObject() const { return type_ == Type::kObject; }
  bool IsFunction() const { return type_ == Type::kFunction; }
  bool IsInteger() const;

  bool AsBool() const { return bool_; }
  double AsNumber() const { return num_; }
  // On the wrong type these yield an empty value rather than undefined behaviour.
  inline const std::string& AsString() const;
  inline const ArrayData& AsArray() const;
  inline const ObjectData& AsObject() const;
  const FunctionData& AsFunction() const;
  const std::shared_ptr<HeapData>& heap() const { return heap_; }
  std::shared_ptr<ArrayData> ArrayPtr() const;
  // In-place access for values still being built by their creator (no refcount traffic), or
  // held by nobody else (heap().use_count() == 1).
  ArrayData& MutableArray() const;
  ObjectData& MutableObject() const;
  std::shared_ptr<ObjectData> ObjectPtr() const;
  std::shared_ptr<FunctionData> FunctionPtr() const;

  // Sequence helpers (false for non-arrays).
  bool IsSequence() const;

 private:
  explicit Value(Type t) : type_(t) {}
  static const std::string& EmptyString();
  static const ArrayData& EmptyArray();
  static const ObjectData& EmptyObject();
  Type type_ = Type::kUndefined;
  bool bool_ = false;
  double num_ = 0;
  std::shared_ptr<HeapData> heap_;
};

// Equality of names (object keys, variables): those are short, and comparing them in place
// beats a library call.
inline bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

struct StringData : HeapData {
  explicit StringData(std::string s) : str(std::move(s)) {}
  std::string str;
};

struct ArrayData : HeapData {
  std::vector<Value> items;
  bool sequence = false;        // result of path evaluation: collapses when it leaves
  bool keep_singleton = false;  // `[]` on a path step: a single result stays an array
  bool cons = false;            // built by an array constructor: not flattened by paths
  bool outer_wrapper = false;   // wraps a non-sequence array while steps run over it
  bool tuple_stream = false;    // items are {"@": context, binding: value, ...} tuples
};

struct ObjectData : HeapData {
  // Small objects (no index) are scanned in place: the usual lookup costs no call.
  const Value* Find(std::string_view key) const {
    if (indexed()) return FindIndexed(key);
    for (const auto& [k, v] : entries) {
      if (SameName(k, key)) return &v;
    }
    return nullptr;
  }
  void Set(std::string_view key, Value value);  // replaces in place or appends
  // Appends a key the caller knows is not present yet (a JSON object's members, a copy of
  // another object's), skipping Set's lookup. Reserve first when the count is known.
  void Append(std::string_view key, Value value);
  void Reserve(size_t count) { entries.reserve(count); }
  bool Remove(std::string_view key);
  size_t size() const { return entries.size(); }
  // Read-only after construction; mutate only through Set/Remove so the index stays valid.
  // The few members of a typical object live inline, in the object's own allocation.
  boost::container::small_vector<std::pair<std::string, Value>, 4> entries;

 private:
  const Value* FindIndexed(std::string_view key) const;
  void BuildIndex();
  // Hash index for large objects only; small ones scan (faster, no allocation).
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, size_t, KeyHash, std::equal_to<>>;
  // Null until the object grows past the threshold: most objects never need one.
  std::unique_ptr<Index> index_;
  bool indexed() const { return index_ != nullptr && !index_->empty(); }
};

inline ArrayData& Value::MutableArray() const { return *static_cast<ArrayData*>(heap_.get()); }
inline ObjectData& Value::MutableObject() const { return *static_cast<ObjectData*>(heap_.get()); }

inline const std::string& Value::AsString() const {
  return type_ == Type::kString ? static_cast<const StringData&>(*heap_).str : EmptyString();
}
inline const ArrayData& Value::AsArray() const {
  return type_ == Type::kArray ? static_cast<const ArrayData&>(*heap_) : EmptyArray();
}
inline const ObjectData& Value::AsObject() const {
  return type_ == Type::kObject ? static_cast<const ObjectData&>(*heap_) : EmptyObject();
}

inline bool Value::IsSequence() const {
  return type_ == Type::kArray && static_cast<const ArrayData&>(*heap_).sequence;
}

inline bool IsTupleStream(const Value& v) {
  return v.IsArray() && static_cast<const ArrayData&>(*v.heap()).tuple_stream;
}
// The context values of a tuple stream, as a sequence.
Value TupleContexts(const Value& stream);

// Builders.
std::shared_ptr<ArrayData> NewArray(bool sequence = false);
Value MakeSequence();
Value MakeArray(std::vector<Value> items);

// Conversion to and from JSON documents. ToJson drops undefined members and functions
// (becoming "" inside arrays as JSON.stringify would give null; functions serialize as "").
Value FromJson(const json::Json& j);
json::Json ToJson(const Value& v);
// The same into `out`, which must be null: for a caller that holds the document already.
void ToJson(const Value& v, json::Json& out);

// Whether FromJson(j) would build exactly `v` (same types, numbers bit for bit, member order,
// no sequence or constructor flags): lets a caller reuse a value it already holds for a
// document instead of converting the document again.
bool SameAsJson(const Value& v, const json::Json& j);

// JavaScript's Number#toString: shortest round-trip digits, exponent outside [1e-7, 1e21).
std::string FormatNumber(double d);

// Deep equality as JSONata's `=` on arrays/objects and $distinct use it.
bool DeepEqual(const Value& a, const Value& b);

// Truthiness per JSONata's boolean casting rules.
bool ToBoolean(const Value& v);

}  // namespace flowstate::query::jsonata

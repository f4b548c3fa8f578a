#include "query/jsonata/value.h"

#include <charconv>
#include <cmath>
#include <tuple>
#include <utility>

#include "json/json.h"
#include "query/jsonata/function_data.h"

namespace flowstate::query::jsonata {

namespace {
constexpr size_t kIndexThreshold = 8;
}  // namespace

Value Value::String(std::string s) {
  Value v(Type::kString);
  v.heap_ = std::make_shared<StringData>(std::move(s));
  return v;
}
Value Value::FromArray(std::shared_ptr<ArrayData> a) {
  Value v(Type::kArray);
  v.heap_ = std::move(a);
  return v;
}
Value Value::FromObject(std::shared_ptr<ObjectData> o) {
  Value v(Type::kObject);
  v.heap_ = std::move(o);
  return v;
}
Value Value::FromFunction(std::shared_ptr<FunctionData> f) {
  Value v(Type::kFunction);
  v.heap_ = std::move(f);
  return v;
}

bool Value::IsInteger() const {
  return type_ == Type::kNumber && std::isfinite(num_) && std::floor(num_) == num_;
}
// Accessors on the wrong type yield an empty value rather than undefined behaviour: a
// function given an undefined optional argument must not crash the process.
const std::string& Value::EmptyString() {
  static const std::string kEmpty;
  return kEmpty;
}
const ArrayData& Value::EmptyArray() {
  static const ArrayData* empty = new ArrayData();
  return *empty;
}
const ObjectData& Value::EmptyObject() {
  static const ObjectData* empty = new ObjectData();
  return *empty;
}
const FunctionData& Value::AsFunction() const {
  static const FunctionData* empty = new FunctionData();
  return type_ == Type::kFunction ? static_cast<const FunctionData&>(*heap_) : *empty;
}
std::shared_ptr<ArrayData> Value::ArrayPtr() const {
  return std::static_pointer_cast<ArrayData>(heap_);
}
std::shared_ptr<ObjectData> Value::ObjectPtr() const {
  return std::static_pointer_cast<ObjectData>(heap_);
}
std::shared_ptr<FunctionData> Value::FunctionPtr() const {
  return std::static_pointer_cast<FunctionData>(heap_);
}

const Value* ObjectData::FindIndexed(std::string_view key) const {
  auto it = index_->find(key);
  return it == index_->end() ? nullptr : &entries[it->second].second;
}

void ObjectData::Set(std::string_view key, Value value) {
  if (indexed()) {
    auto it = index_->find(key);
    if (it != index_->end()) {
      entries[it->second].second = std::move(value);
      return;
    }
  } else {
    for (auto& [k, v] : entries) {
      if (SameName(k, key)) {
        v = std::move(value);
        return;
      }
    }
  }
  Append(key, std::move(value));
}

void ObjectData::Append(std::string_view key, Value value) {
  entries.emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                       std::forward_as_tuple(std::move(value)));
  if (indexed()) {
    index_->emplace(entries.back().first, entries.size() - 1);
  } else if (entries.size() > kIndexThreshold) {
    BuildIndex();
  }
}

bool ObjectData::Remove(std::string_view key) {
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].first == key) {
      entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
      index_.reset();
      if (entries.size() > kIndexThreshold) BuildIndex();
      return true;
    }
  }
  return false;
}

void ObjectData::BuildIndex() {
  index_ = std::make_unique<Index>();
  index_->reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) index_->emplace(entries[i].first, i);
}

Value TupleContexts(const Value& stream) {
  auto seq = NewArray(true);
  for (const auto& t : stream.AsArray().items) {
    const Value* at = t.AsObject().Find("@");
    if (at != nullptr && at->IsDefined()) seq->items.push_back(*at);
  }
  return Value::FromArray(std::move(seq));
}

std::shared_ptr<ArrayData> NewArray(bool sequence) {
  auto a = std::make_shared<ArrayData>();
  a->sequence = sequence;
  return a;
}
Value MakeSequence() { return Value::FromArray(NewArray(true)); }
Value MakeArray(std::vector<Value> items) {
  auto a = NewArray(false);
  a->items = std::move(items);
  return Value::FromArray(std::move(a));
}

Value FromJson(const json::Json& j) {
  // Reads the document's storage directly (no conversion machinery per node).
  switch (j.type()) {
    case json::Json::value_t::null:
      return Value::Null();
    case json::Json::value_t::boolean:
      return Value::Bool(*j.get_ptr<const bool*>());
    case json::Json::value_t::number_integer:
      return Value::Number(static_cast<double>(*j.get_ptr<const int64_t*>()));
    case json::Json::value_t::number_unsigned:
      return Value::Number(static_cast<double>(*j.get_ptr<const uint64_t*>()));
    case json::Json::value_t::number_float:
      return Value::Number(*j.get_ptr<const double*>());
    case json::Json::value_t::string:
      return Value::String(*j.get_ptr<const std::string*>());
    case json::Json::value_t::array: {
      const auto& items = *j.get_ptr<const json::Json::array_t*>();
      auto a = NewArray(false);
      a->items.reserve(items.size());
      for (const auto& e : items) a->items.push_back(FromJson(e));
      return Value::FromArray(std::move(a));
    }
    case json::Json::value_t::object: {
      const auto& members = *j.get_ptr<const json::Json::object_t*>();
      auto o = std::make_shared<ObjectData>();
      o->Reserve(members.size());
      for (const auto& [key, member] : members) {
        o->Append(key, FromJson(member));
      }
      return Value::FromObject(std::move(o));
    }
    default:
      return Value();
  }
}

namespace {

bool SameNumber(double a, double b) { return a == b && std::signbit(a) == std::signbit(b); }

}  // namespace

namespace {

// SameAsJson for a document that is not an array or object: inline in the containers' loops,
// where most members are scalars.
inline bool SameScalar(const Value& v, const json::Json& j) {
  switch (j.type()) {
    case json::Json::value_t::null:
      return v.IsNull();
    case json::Json::value_t::boolean:
      return v.IsBool() && v.AsBool() == *j.get_ptr<const bool*>();
    case json::Json::value_t::number_integer:
      return v.IsNumber() &&
             SameNumber(v.AsNumber(), static_cast<double>(*j.get_ptr<const int64_t*>()));
    case json::Json::value_t::number_unsigned:
      return v.IsNumber() &&
             SameNumber(v.AsNumber(), static_cast<double>(*j.get_ptr<const uint64_t*>()));
    case json::Json::value_t::number_float:
      return v.IsNumber() && SameNumber(v.AsNumber(), *j.get_ptr<const double*>());
    case json::Json::value_t::string:
      return v.IsString() && v.AsString() == *j.get_ptr<const std::string*>();
    default:
      return false;
  }
}

inline bool SameMember(const Value& v, const json::Json& j) {
  return j.is_structured() ? SameAsJson(v, j) : SameScalar(v, j);
}

}  // namespace

bool SameAsJson(const Value& v, const json::Json& j) {
  // Reads the document's storage directly: this runs over a whole state input.
  switch (j.type()) {
    case json::Json::value_t::array: {
      if (!v.IsArray()) return false;
      const ArrayData& a = v.AsArray();
      const auto& items = *j.get_ptr<const json::Json::array_t*>();
      if (a.sequence || a.keep_singleton || a.cons || a.outer_wrapper || a.tuple_stream ||
          a.items.size() != items.size()) {
        return false;
      }
      for (size_t i = 0; i < items.size(); ++i) {
        if (!SameMember(a.items[i], items[i])) return false;
      }
      return true;
    }
    case json::Json::value_t::object: {
      if (!v.IsObject()) return false;
      const auto& entries = v.AsObject().entries;
      const auto& members = *j.get_ptr<const json::Json::object_t*>();
      if (entries.size() != members.size()) return false;
      auto entry = entries.begin();
      for (const auto& [key, member] : members) {
        if (!SameName(entry->first, key) || !SameMember(entry->second, member)) return false;
        ++entry;
      }
      return true;
    }
    default:
      return SameScalar(v, j);
  }
}

namespace {

void FillJson(const Value& v, json::Json& out);

// Builds the JSON of `v` where it lives: `make(args)` constructs the document (a member, an
// item) from nlohmann's constructor arguments and returns it, so no temporary is moved,
// assigned or destroyed. Undefined is null here (callers skip it where JSON drops it) and a
// function is "".
template <typename Make>
void BuildJson(const Value& v, Make&& make) {
  switch (v.type()) {
    case Type::kUndefined:
    case Type::kNull:
      make(nullptr);
      return;
    case Type::kBool:
      make(v.AsBool());
      return;
    case Type::kNumber: {
      double d = v.AsNumber();
      if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9007199254740992.0) {
        make(static_cast<int64_t>(d));
      } else if (std::isfinite(d)) {
        make(d);
      } else {
        make(nullptr);
      }
      return;
    }
    case Type::kString:
      make(v.AsString());
      return;
    case Type::kArray:
      FillJson(v, make(json::Json::value_t::array));
      return;
    case Type::kObject:
      FillJson(v, make(json::Json::value_t::object));
      return;
    case Type::kFunction:
      make("");
      return;
  }
}

// Fills `out`, an empty array or object document, with the items or members of `v`.
void FillJson(const Value& v, json::Json& out) {
  if (v.IsArray()) {
    auto& items = out.get_ref<json::Json::array_t&>();
    items.reserve(v.AsArray().items.size());
    for (const auto& e : v.AsArray().items) {
      if (e.IsUndefined()) continue;
      BuildJson(e, [&items](auto&& arg) -> json::Json& {
        return items.emplace_back(std::forward<decltype(arg)>(arg));
      });
    }
    return;
  }
  // Keys of an object value are unique: append without the ordered map's lookup.
  auto& members = out.get_ref<json::Json::object_t&>();
  members.reserve(v.AsObject().entries.size());
  for (const auto& [k, e] : v.AsObject().entries) {
    if (e.IsUndefined()) continue;
    BuildJson(e, [&members, &k = k](auto&& arg) -> json::Json& {
      return members
          .emplace_back(std::piecewise_construct, std::forward_as_tuple(k),
                        std::forward_as_tuple(std::forward<decltype(arg)>(arg)))
          .second;
    });
  }
}

// Writes `v` into `out`, which is null on entry.
void WriteJson(const Value& v, json::Json& out) {
  BuildJson(v, [&out](auto&& arg) -> json::Json& {
    out = json::Json(std::forward<decltype(arg)>(arg));
    return out;
  });
}

}  // namespace

void ToJson(const Value& v, json::Json& out) { WriteJson(v, out); }

json::Json ToJson(const Value& v) {
  json::Json out;
  WriteJson(v, out);
  return out;
}

std::string FormatNumber(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  int exp10 = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits.push_back(c);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  } else {
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += "e";
    out += (n - 1 >= 0) ? "+" : "-";
    out += std::to_string(std::abs(n - 1));
  }
  return sign + out;
}

bool DeepEqual(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::kUndefined:
    case Type::kNull:
      return true;
    case Type::kBool:
      return a.AsBool() == b.AsBool();
    case Type::kNumber:
      return a.AsNumber() == b.AsNumber();
    case Type::kString:
      return a.AsString() == b.AsString();
    case Type::kArray: {
      const auto& x = a.AsArray().items;
      const auto& y = b.AsArray().items;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!DeepEqual(x[i], y[i])) return false;
      }
      return true;
    }
    case Type::kObject: {
      const auto& x = a.AsObject();
      const auto& y = b.AsObject();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.entries) {
        const Value* other = y.Find(k);
        if (other == nullptr || !DeepEqual(v, *other)) return false;
      }
      return true;
    }
    case Type::kFunction:
      return a.heap() == b.heap();
  }
  return false;
}

bool ToBoolean(const Value& v) {
  switch (v.type()) {
    case Type::kUndefined:
    case Type::kNull:
      return false;
    case Type::kBool:
      return v.AsBool();
    case Type::kNumber:
      return v.AsNumber() != 0;
    case Type::kString:
      return !v.AsString().empty();
    case Type::kArray: {
      const auto& items = v.AsArray().items;
      if (items.size() == 1) return ToBoolean(items[0]);
      for (const auto& e : items) {
        if (ToBoolean(e)) return true;
      }
      return false;
    }
    case Type::kObject:
      return v.AsObject().size() > 0;
    case Type::kFunction:
      return false;
  }
  return false;
}

}  // namespace flowstate::query::jsonata

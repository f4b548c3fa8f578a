// Object functions: $keys, $lookup, $spread, $merge, $each, $sift, $error, $assert, $type.
#include <algorithm>
#include <utility>

#include "query/jsonata/error.h"
#include "query/jsonata/functions.h"

namespace flowstate::query::jsonata {

namespace {

// Arguments for a callback that takes (value, key, object) but may declare fewer.
std::vector<Value> CallbackArgs(const Value& fn, std::vector<Value> all) {
  size_t arity = fn.AsFunction().Arity();
  if (all.size() > arity) all.resize(std::max<size_t>(arity, 1));
  return all;
}

void Spread(const Value& v, std::vector<Value>& out) {
  if (v.IsArray()) {
    for (const auto& e : v.AsArray().items) Spread(e, out);
  } else if (v.IsObject()) {
    for (const auto& [k, e] : v.AsObject().entries) {
      auto o = std::make_shared<ObjectData>();
      o->Set(k, e);
      out.push_back(Value::FromObject(std::move(o)));
    }
  } else {
    out.push_back(v);
  }
}

}  // namespace

void RegisterObjectFunctions(FunctionTable& t) {
  Register(t, "keys", "<x-:a<s>>", [](CallContext&, std::vector<Value>& a) {
    const Value& x = Arg(a, 0);
    std::vector<std::string> keys;
    auto add = [&](const Value& o) {
      if (!o.IsObject()) return;
      for (const auto& [k, v] : o.AsObject().entries) {
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
      }
    };
    if (x.IsArray()) {
      for (const auto& e : x.AsArray().items) add(e);
    } else {
      add(x);
    }
    Value result = MakeSequence();
    for (auto& k : keys) result.MutableArray().items.push_back(Value::String(k));
    return result;
  });
  Register(t, "lookup", "<x-s:x>", [](CallContext&, std::vector<Value>& a) {
    return LookupField(Arg(a, 0), Arg(a, 1).IsString() ? a[1].AsString() : "");
  });
  Register(t, "spread", "<x-:a<o>>", [](CallContext&, std::vector<Value>& a) {
    const Value& x = Arg(a, 0);
    if (x.IsUndefined()) return Value();
    if (!x.IsArray() && !x.IsObject()) return x;
    Value result = MakeSequence();
    Spread(x, result.MutableArray().items);
    return result;
  });
  Register(t, "merge", "<a<o>:o>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    auto o = std::make_shared<ObjectData>();
    const auto& items = a[0].AsArray().items;
    size_t total = 0;
    for (const auto& e : items) total += e.AsObject().entries.size();
    o->Reserve(total);
    for (size_t i = 0; i < items.size(); ++i) {
      for (const auto& [k, v] : items[i].AsObject().entries) {
        // The first object's keys are unique: only later ones can replace.
        if (i == 0) {
          o->Append(k, v);
        } else {
          o->Set(k, v);
        }
      }
    }
    return Value::FromObject(std::move(o));
  });
  Register(t, "each", "<o-f:a>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    Value result = MakeSequence();
    for (const auto& [k, v] : a[0].AsObject().entries) {
      Value r = c.evaluator.Apply(a[1], CallbackArgs(a[1], {v, Value::String(k), a[0]}), c.input,
                                  c.position);
      if (r.IsDefined()) result.MutableArray().items.push_back(r);
    }
    return result;
  });
  Register(t, "sift", "<o-f?:o>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    if (!Arg(a, 1).IsFunction()) Fail("T1006", c.position);
    auto o = std::make_shared<ObjectData>();
    for (const auto& [k, v] : a[0].AsObject().entries) {
      Value r = c.evaluator.Apply(a[1], CallbackArgs(a[1], {v, Value::String(k), a[0]}), c.input,
                                  c.position);
      if (ToBoolean(r)) o->Set(k, v);
    }
    if (o->size() == 0) return Value();
    return Value::FromObject(std::move(o));
  });
  Register(t, "error", "<s?:x>", [](CallContext& c, std::vector<Value>& a) -> Value {
    FailWithMessage("D3137", Arg(a, 0).IsString() ? a[0].AsString() : "$error() function evaluated",
                    c.position);
  });
  Register(t, "assert", "<bs?:x>", [](CallContext& c, std::vector<Value>& a) -> Value {
    if (!Arg(a, 0).AsBool()) {
      FailWithMessage("D3141",
                      Arg(a, 1).IsString() ? a[1].AsString() : "$assert() statement failed",
                      c.position);
    }
    return Value();
  });
  Register(t, "type", "<x:s>", [](CallContext&, std::vector<Value>& a) {
    switch (Arg(a, 0).type()) {
      case Type::kUndefined:
        return Value();
      case Type::kNull:
        return Value::String("null");
      case Type::kBool:
        return Value::String("boolean");
      case Type::kNumber:
        return Value::String("number");
      case Type::kString:
        return Value::String("string");
      case Type::kArray:
        return Value::String("array");
      case Type::kObject:
        return Value::String("object");
      case Type::kFunction:
        return Value::String("function");
    }
    return Value();
  });
}

}  // namespace flowstate::query::jsonata

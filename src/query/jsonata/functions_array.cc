// Array functions: $append, $sort, $reverse, $shuffle, $distinct, $zip; boolean functions.
#include <algorithm>
#include <random>

#include "query/jsonata/error.h"
#include "query/jsonata/functions.h"

namespace flowstate::query::jsonata {

namespace {

// Stable merge sort where `after(a, b)` says a must come after b.
template <typename After>
void MergeSort(std::vector<Value>& v, After after) {
  if (v.size() < 2) return;
  size_t mid = v.size() / 2;
  std::vector<Value> left(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  std::vector<Value> right(v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  MergeSort(left, after);
  MergeSort(right, after);
  size_t i = 0;
  size_t j = 0;
  size_t k = 0;
  while (i < left.size() && j < right.size()) {
    if (after(left[i], right[j])) {
      v[k++] = right[j++];
    } else {
      v[k++] = left[i++];
    }
  }
  while (i < left.size()) v[k++] = left[i++];
  while (j < right.size()) v[k++] = right[j++];
}

Value Sort(CallContext& ctx, std::vector<Value>& a) {
  if (Arg(a, 0).IsUndefined()) return Value();
  std::vector<Value> items = a[0].AsArray().items;
  if (items.size() <= 1) return a[0];
  if (Arg(a, 1).IsUndefined()) {
    bool all_numbers =
        std::all_of(items.begin(), items.end(), [](const Value& v) { return v.IsNumber(); });
    bool all_strings =
        std::all_of(items.begin(), items.end(), [](const Value& v) { return v.IsString(); });
    if (!all_numbers && !all_strings) Fail("D3070", ctx.position);
    MergeSort(items, [&](const Value& x, const Value& y) {
      return all_numbers ? x.AsNumber() > y.AsNumber() : x.AsString() > y.AsString();
    });
  } else {
    const Value& fn = a[1];
    MergeSort(items, [&](const Value& x, const Value& y) {
      return ToBoolean(ctx.evaluator.Apply(fn, {x, y}, ctx.input, ctx.position));
    });
  }
  return MakeArray(std::move(items));
}

}  // namespace

void RegisterArrayFunctions(FunctionTable& t) {
  Register(t, "append", "<xx:a>", [](CallContext&, std::vector<Value>& a) {
    const Value& x = Arg(a, 0);
    const Value& y = Arg(a, 1);
    if (x.IsUndefined()) return y;
    if (y.IsUndefined()) return x;
    std::vector<Value> items;
    if (x.IsArray()) {
      items = x.AsArray().items;
    } else {
      items.push_back(x);
    }
    if (y.IsArray()) {
      items.insert(items.end(), y.AsArray().items.begin(), y.AsArray().items.end());
    } else {
      items.push_back(y);
    }
    return MakeArray(std::move(items));
  });
  Register(t, "sort", "<af?:a>", Sort);
  Register(t, "reverse", "<a:a>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    std::vector<Value> items = a[0].AsArray().items;
    std::reverse(items.begin(), items.end());
    return MakeArray(std::move(items));
  });
  Register(t, "shuffle", "<a:a>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    std::vector<Value> items = a[0].AsArray().items;
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::shuffle(items.begin(), items.end(), rng);
    return MakeArray(std::move(items));
  });
  Register(t, "distinct", "<x:x>", [](CallContext&, std::vector<Value>& a) {
    const Value& x = Arg(a, 0);
    if (!x.IsArray()) return x;
    std::vector<Value> out;
    for (const auto& e : x.AsArray().items) {
      bool seen =
          std::any_of(out.begin(), out.end(), [&](const Value& o) { return DeepEqual(o, e); });
      if (!seen) out.push_back(e);
    }
    Value result = MakeSequence();
    result.MutableArray().items = std::move(out);
    return result;
  });
  Register(t, "zip", "<a+>", [](CallContext&, std::vector<Value>& a) {
    size_t len = SIZE_MAX;
    for (const auto& arr : a) len = std::min(len, arr.IsArray() ? arr.AsArray().items.size() : 0);
    if (a.empty()) len = 0;
    std::vector<Value> out;
    for (size_t i = 0; i < len; ++i) {
      std::vector<Value> tuple;
      for (const auto& arr : a) tuple.push_back(arr.AsArray().items[i]);
      out.push_back(MakeArray(std::move(tuple)));
    }
    return MakeArray(std::move(out));
  });
  Register(t, "boolean", "<x-:b>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::Bool(ToBoolean(a[0]));
  });
  Register(t, "not", "<x-:b>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::Bool(!ToBoolean(a[0]));
  });
  Register(t, "exists", "<x:b>",
           [](CallContext&, std::vector<Value>& a) { return Value::Bool(Arg(a, 0).IsDefined()); });
}

}  // namespace flowstate::query::jsonata

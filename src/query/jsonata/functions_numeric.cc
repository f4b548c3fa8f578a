// Numeric and aggregation functions: $number, $abs, $floor, $ceil, $round, $power, $sqrt,
// $random, $sum, $max, $min, $average, $count.
#include <cmath>
#include <cstdlib>
#include <random>

#include "query/jsonata/error.h"
#include "query/jsonata/functions.h"

namespace flowstate::query::jsonata {

namespace {

bool IsJsonNumber(const std::string& s) {
  size_t i = 0;
  auto digits = [&]() {
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') i++;
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    i++;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) i++;
    if (!digits()) return false;
  }
  return i == s.size();
}

Value ToNumber(const Value& v, int64_t position) {
  if (v.IsUndefined()) return Value();
  if (v.IsNumber()) return v;
  if (v.IsBool()) return Value::Number(v.AsBool() ? 1 : 0);
  if (v.IsString()) {
    const std::string& s = v.AsString();
    if (IsJsonNumber(s)) {
      double d = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(d)) return Value::Number(d);
    }
    if (s.size() > 2 && s[0] == '0' &&
        (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' || s[1] == 'b' || s[1] == 'B')) {
      int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
      char* end = nullptr;
      double d = static_cast<double>(std::strtoull(s.c_str() + 2, &end, base));
      if (end != nullptr && *end == '\0') return Value::Number(d);
    }
  }
  Fail("D3030", position, std::nullopt, v);
}

// Shifts the decimal point of a number by `places` through its decimal text, so that
// rounding sees the digits a person would write (no binary representation error).
double Shift(double d, int places) {
  std::string s = FormatNumber(d);
  size_t e = s.find('e');
  int exp = 0;
  if (e != std::string::npos) {
    exp = std::stoi(s.substr(e + 1));
    s = s.substr(0, e);
  }
  s += "e" + std::to_string(exp + places);
  return std::strtod(s.c_str(), nullptr);
}

}  // namespace

double RoundHalfEven(double value, int precision) {
  double x = precision == 0 ? value : Shift(value, precision);
  double f = std::floor(x);
  double diff = x - f;
  double r = f;
  if (diff > 0.5) {
    r = f + 1;
  } else if (diff == 0.5) {
    r = std::fmod(f, 2) == 0 ? f : f + 1;
  }
  if (precision != 0) r = Shift(r, -precision);
  if (r == 0) r = 0;  // no negative zero
  return r;
}

namespace {

template <typename F>
Value Aggregate(const Value& v, F f) {
  if (v.IsUndefined()) return Value();
  return f(v.AsArray().items);
}

}  // namespace

Value NumberFrom(const Value& v, int64_t position) { return ToNumber(v, position); }

void RegisterNumericFunctions(FunctionTable& t) {
  Register(t, "number", "<(nsb)-:n>",
           [](CallContext& c, std::vector<Value>& a) { return ToNumber(Arg(a, 0), c.position); });
  Register(t, "abs", "<n-:n>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::Number(std::fabs(a[0].AsNumber()));
  });
  Register(t, "floor", "<n-:n>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::Number(std::floor(a[0].AsNumber()));
  });
  Register(t, "ceil", "<n-:n>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::Number(std::ceil(a[0].AsNumber()));
  });
  Register(t, "round", "<n-n?:n>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    int precision =
        Arg(a, 1).IsNumber()
            ? static_cast<int>(std::clamp<int64_t>(ClampToInt(a[1].AsNumber()), -400, 400))
            : 0;
    return Value::Number(RoundHalfEven(a[0].AsNumber(), precision));
  });
  Register(t, "power", "<n-n:n>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    double r = std::pow(a[0].AsNumber(), a[1].AsNumber());
    if (!std::isfinite(r)) Fail("D3061", c.position, std::nullopt, a[0], a[1]);
    return Value::Number(r);
  });
  Register(t, "sqrt", "<n-:n>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    if (a[0].AsNumber() < 0) Fail("D3060", c.position, std::nullopt, a[0]);
    return Value::Number(std::sqrt(a[0].AsNumber()));
  });
  Register(t, "random", "<:n>", [](CallContext&, std::vector<Value>&) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return Value::Number(std::uniform_real_distribution<double>(0.0, 1.0)(rng));
  });
  Register(t, "sum", "<a<n>:n>", [](CallContext&, std::vector<Value>& a) {
    return Aggregate(Arg(a, 0), [](const std::vector<Value>& items) {
      double sum = 0;
      for (const auto& e : items) sum += e.AsNumber();
      return Value::Number(sum);
    });
  });
  Register(t, "max", "<a<n>:n>", [](CallContext&, std::vector<Value>& a) {
    return Aggregate(Arg(a, 0), [](const std::vector<Value>& items) {
      if (items.empty()) return Value();
      double m = items[0].AsNumber();
      for (const auto& e : items) m = std::max(m, e.AsNumber());
      return Value::Number(m);
    });
  });
  Register(t, "min", "<a<n>:n>", [](CallContext&, std::vector<Value>& a) {
    return Aggregate(Arg(a, 0), [](const std::vector<Value>& items) {
      if (items.empty()) return Value();
      double m = items[0].AsNumber();
      for (const auto& e : items) m = std::min(m, e.AsNumber());
      return Value::Number(m);
    });
  });
  Register(t, "average", "<a<n>:n>", [](CallContext&, std::vector<Value>& a) {
    return Aggregate(Arg(a, 0), [](const std::vector<Value>& items) {
      if (items.empty()) return Value();
      double sum = 0;
      for (const auto& e : items) sum += e.AsNumber();
      return Value::Number(sum / static_cast<double>(items.size()));
    });
  });
  Register(t, "count", "<a:n>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value::Number(0);
    return Value::Number(static_cast<double>(a[0].AsArray().items.size()));
  });
}

}  // namespace flowstate::query::jsonata

// $formatNumber (XPath F&O 3.1 format-number with a decimal format) and $formatBase.
#include <cmath>
#include <cstdio>

#include "query/jsonata/error.h"
#include "query/jsonata/format_integer.h"
#include "query/jsonata/functions.h"
#include "query/jsonata/utf8.h"

namespace flowstate::query::jsonata {

namespace {

enum class Sym { kLiteral, kDecimal, kGrouping, kExponent, kPercent, kPerMille, kDigit, kOptional };

struct Token {
  Sym sym = Sym::kLiteral;
  std::u32string text;  // literal or property text
  int digit = 0;        // kDigit
};

struct DecimalFormat {
  std::u32string decimal = U".";
  std::u32string grouping = U",";
  std::u32string exponent = U"e";
  std::u32string minus = U"-";
  std::u32string percent = U"%";
  std::u32string per_mille = U"\u2030";
  char32_t zero = U'0';
  std::u32string optional = U"#";
  std::u32string pattern_sep = U";";
  std::string infinity = "Infinity";
  std::string nan = "NaN";
};

bool StartsWith(const std::u32string& s, size_t at, const std::u32string& prefix) {
  return !prefix.empty() && s.compare(at, prefix.size(), prefix) == 0;
}

std::vector<Token> Tokenize(const std::u32string& pic, const DecimalFormat& f) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < pic.size()) {
    Token t;
    const std::pair<const std::u32string*, Sym> props[] = {
        {&f.decimal, Sym::kDecimal}, {&f.grouping, Sym::kGrouping},  {&f.exponent, Sym::kExponent},
        {&f.percent, Sym::kPercent}, {&f.per_mille, Sym::kPerMille}, {&f.optional, Sym::kOptional}};
    bool matched = false;
    for (const auto& [text, sym] : props) {
      if (StartsWith(pic, i, *text)) {
        t.sym = sym;
        t.text = *text;
        i += text->size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      char32_t c = pic[i];
      if (c >= f.zero && c <= f.zero + 9) {
        t.sym = Sym::kDigit;
        t.digit = static_cast<int>(c - f.zero);
      } else {
        t.sym = Sym::kLiteral;
      }
      t.text = std::u32string(1, c);
      i++;
    }
    out.push_back(t);
  }
  return out;
}

bool IsActive(Sym s) {
  return s == Sym::kDecimal || s == Sym::kGrouping || s == Sym::kDigit || s == Sym::kOptional;
}

struct SubPicture {
  std::u32string prefix, suffix;
  std::vector<Token> integer, fraction, exponent;
  bool has_decimal = false;
  bool has_exponent = false;
  bool percent = false;
  bool per_mille = false;
};

SubPicture Analyze(std::vector<Token> toks) {
  SubPicture sp;
  int first = -1;
  int last = -1;
  for (size_t i = 0; i < toks.size(); ++i) {
    if (IsActive(toks[i].sym)) {
      if (first < 0) first = static_cast<int>(i);
      last = static_cast<int>(i);
    }
  }
  if (first < 0) Fail("D3086");
  // An exponent separator is active only between active characters.
  for (int i = first; i <= last; ++i) {
    if (toks[static_cast<size_t>(i)].sym == Sym::kExponent) {
      bool followed = i + 1 <= last && toks[static_cast<size_t>(i + 1)].sym == Sym::kDigit;
      if (!followed) toks[static_cast<size_t>(i)].sym = Sym::kLiteral;
    }
  }
  int decimals = 0;
  int percents = 0;
  int per_milles = 0;
  for (const auto& t : toks) {
    if (t.sym == Sym::kDecimal) decimals++;
    if (t.sym == Sym::kPercent) percents++;
    if (t.sym == Sym::kPerMille) per_milles++;
  }
  if (decimals > 1) Fail("D3081");
  if (percents > 1) Fail("D3082");
  if (per_milles > 1) Fail("D3083");
  if (percents > 0 && per_milles > 0) Fail("D3084");
  sp.percent = percents > 0;
  sp.per_mille = per_milles > 0;
  for (int i = 0; i < first; ++i) sp.prefix += toks[static_cast<size_t>(i)].text;
  for (size_t i = static_cast<size_t>(last) + 1; i < toks.size(); ++i) sp.suffix += toks[i].text;
  int part = 0;  // 0 integer, 1 fraction, 2 exponent
  for (int i = first; i <= last; ++i) {
    const Token& t = toks[static_cast<size_t>(i)];
    if (t.sym == Sym::kLiteral || t.sym == Sym::kPercent || t.sym == Sym::kPerMille) Fail("D3086");
    if (t.sym == Sym::kDecimal) {
      part = 1;
      sp.has_decimal = true;
      continue;
    }
    if (t.sym == Sym::kExponent) {
      part = 2;
      sp.has_exponent = true;
      continue;
    }
    (part == 0 ? sp.integer : part == 1 ? sp.fraction : sp.exponent).push_back(t);
  }
  bool mantissa_digit = false;
  for (const auto& t : sp.integer)
    mantissa_digit |= t.sym == Sym::kDigit || t.sym == Sym::kOptional;
  for (const auto& t : sp.fraction)
    mantissa_digit |= t.sym == Sym::kDigit || t.sym == Sym::kOptional;
  if (!mantissa_digit) Fail("D3085");
  // Grouping separator next to the decimal separator.
  if ((sp.has_decimal && !sp.integer.empty() && sp.integer.back().sym == Sym::kGrouping) ||
      (!sp.fraction.empty() && sp.fraction.front().sym == Sym::kGrouping)) {
    Fail("D3087");
  }
  if (!sp.has_decimal && !sp.integer.empty() && sp.integer.back().sym == Sym::kGrouping)
    Fail("D3088");
  for (size_t i = 1; i < sp.integer.size(); ++i) {
    if (sp.integer[i].sym == Sym::kGrouping && sp.integer[i - 1].sym == Sym::kGrouping)
      Fail("D3089");
  }
  bool seen_digit = false;
  for (const auto& t : sp.integer) {
    if (t.sym == Sym::kDigit) seen_digit = true;
    if (t.sym == Sym::kOptional && seen_digit) Fail("D3090");
  }
  bool seen_optional = false;
  for (const auto& t : sp.fraction) {
    if (t.sym == Sym::kOptional) seen_optional = true;
    if (t.sym == Sym::kDigit && seen_optional) Fail("D3091");
  }
  if (sp.has_exponent && (sp.percent || sp.per_mille)) Fail("D3092");
  for (const auto& t : sp.exponent) {
    if (t.sym != Sym::kDigit) Fail("D3093");
  }
  return sp;
}

std::u32string ToDigits(const std::string& ascii, char32_t zero) {
  std::u32string out;
  for (char c : ascii) out.push_back(zero + static_cast<char32_t>(c - '0'));
  return out;
}

std::string Format(double value, const SubPicture& sp, const DecimalFormat& f, bool negative) {
  double v = std::fabs(value);
  if (sp.percent) v *= 100;
  if (sp.per_mille) v *= 1000;
  int min_int = 0;
  int max_frac = 0;
  int min_frac = 0;
  bool int_optional = false;
  std::vector<int> int_groups;  // positions from the right
  int digits_seen = 0;
  for (auto it = sp.integer.rbegin(); it != sp.integer.rend(); ++it) {
    if (it->sym == Sym::kDigit) {
      min_int++;
      digits_seen++;
    } else if (it->sym == Sym::kOptional) {
      int_optional = true;
      digits_seen++;
    } else if (it->sym == Sym::kGrouping) {
      int_groups.push_back(digits_seen);
    }
  }
  std::vector<int> frac_groups;
  for (const auto& t : sp.fraction) {
    if (t.sym == Sym::kDigit) {
      min_frac++;
      max_frac++;
    } else if (t.sym == Sym::kOptional) {
      max_frac++;
    } else if (t.sym == Sym::kGrouping) {
      frac_groups.push_back(max_frac);
    }
  }
  int min_exp = static_cast<int>(sp.exponent.size());
  if (min_int == 0 && max_frac == 0) {
    if (sp.has_exponent) {
      max_frac = 1;
    } else {
      min_int = 1;
    }
  }
  int exponent = 0;
  if (sp.has_exponent && v != 0) {
    // Scale the mantissa so that it has min_int digits before the point.
    double target_low = min_int == 0 ? 0.1 : std::pow(10.0, min_int - 1);
    double target_high = target_low * 10;
    while (v >= target_high) {
      v /= 10;
      exponent++;
    }
    while (v < target_low) {
      v *= 10;
      exponent--;
    }
  }
  double rounded = RoundHalfEven(v, max_frac);
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", max_frac, rounded);
  std::string text = buf;
  std::string int_part = text;
  std::string frac_part;
  size_t dot = text.find('.');
  if (dot != std::string::npos) {
    int_part = text.substr(0, dot);
    frac_part = text.substr(dot + 1);
  }
  while (static_cast<int>(frac_part.size()) > min_frac && !frac_part.empty() &&
         frac_part.back() == '0') {
    frac_part.pop_back();
  }
  if (int_part == "0" && min_int == 0) int_part.clear();
  while (static_cast<int>(int_part.size()) < min_int) int_part.insert(int_part.begin(), '0');
  if (int_part.empty() && (frac_part.empty() || int_optional)) int_part = "0";
  // Integer grouping: regular when positions are multiples of the first.
  bool regular = !int_groups.empty();
  for (size_t i = 0; i < int_groups.size(); ++i) {
    if (int_groups[i] != int_groups[0] * static_cast<int>(i + 1)) regular = false;
  }
  std::u32string int_out;
  std::u32string digits = ToDigits(int_part, f.zero);
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count > 0) {
      bool sep = regular
                     ? (count % int_groups[0] == 0)
                     : std::find(int_groups.begin(), int_groups.end(), count) != int_groups.end();
      if (sep) int_out.insert(0, f.grouping);
    }
    int_out.insert(int_out.begin(), *it);
    count++;
  }
  std::u32string frac_out;
  std::u32string fdigits = ToDigits(frac_part, f.zero);
  for (size_t i = 0; i < fdigits.size(); ++i) {
    if (i > 0 && std::find(frac_groups.begin(), frac_groups.end(), static_cast<int>(i)) !=
                     frac_groups.end()) {
      frac_out += f.grouping;
    }
    frac_out.push_back(fdigits[i]);
  }
  std::u32string out = sp.prefix + int_out;
  if (!frac_out.empty() || (sp.has_decimal && false)) out += f.decimal + frac_out;
  if (sp.has_exponent) {
    std::string e = std::to_string(std::abs(exponent));
    while (static_cast<int>(e.size()) < min_exp) e.insert(e.begin(), '0');
    out += f.exponent;
    if (exponent < 0) out += f.minus;
    out += ToDigits(e, f.zero);
  }
  out += sp.suffix;
  if (negative) out = f.minus + out;
  return EncodeUtf8(out);
}

Value FormatNumberFn(CallContext&, std::vector<Value>& a) {
  if (Arg(a, 0).IsUndefined()) return Value();
  DecimalFormat f;
  if (Arg(a, 2).IsObject()) {
    for (const auto& [k, v] : a[2].AsObject().entries) {
      if (!v.IsString()) continue;
      std::u32string s = DecodeUtf8(v.AsString());
      if (k == "decimal-separator") f.decimal = s;
      if (k == "grouping-separator") f.grouping = s;
      if (k == "exponent-separator") f.exponent = s;
      if (k == "minus-sign") f.minus = s;
      if (k == "percent") f.percent = s;
      if (k == "per-mille") f.per_mille = s;
      if (k == "zero-digit" && !s.empty()) f.zero = s[0];
      if (k == "digit") f.optional = s;
      if (k == "pattern-separator") f.pattern_sep = s;
      if (k == "infinity") f.infinity = v.AsString();
      if (k == "NaN") f.nan = v.AsString();
    }
  }
  double value = a[0].AsNumber();
  if (std::isnan(value)) return Value::String(f.nan);
  std::u32string pic = DecodeUtf8(Arg(a, 1).AsString());
  std::vector<std::u32string> subs;
  size_t start = 0;
  while (true) {
    size_t at = pic.find(f.pattern_sep, start);
    if (at == std::u32string::npos) {
      subs.push_back(pic.substr(start));
      break;
    }
    subs.push_back(pic.substr(start, at - start));
    start = at + f.pattern_sep.size();
  }
  if (subs.size() > 2) Fail("D3080");
  std::vector<SubPicture> pictures;
  for (const auto& s : subs) pictures.push_back(Analyze(Tokenize(s, f)));
  if (std::isinf(value)) {
    const SubPicture& sp = value < 0 && pictures.size() > 1 ? pictures[1] : pictures[0];
    std::string s = EncodeUtf8(sp.prefix) + f.infinity + EncodeUtf8(sp.suffix);
    if (value < 0 && pictures.size() == 1) s = EncodeUtf8(f.minus) + s;
    return Value::String(s);
  }
  bool negative = value < 0;
  if (negative && pictures.size() > 1) return Value::String(Format(value, pictures[1], f, false));
  return Value::String(Format(value, pictures[0], f, negative));
}

}  // namespace

void RegisterFormatFunctions(FunctionTable& t) {
  Register(t, "formatNumber", "<n-so?:s>", FormatNumberFn);
  Register(t, "formatBase", "<n-n?:s>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    double radix_d = Arg(a, 1).IsNumber() ? std::trunc(a[1].AsNumber()) : 10;
    if (radix_d < 2 || radix_d > 36)
      Fail("D3100", c.position, std::nullopt, Value::Number(radix_d));
    auto radix = static_cast<int64_t>(radix_d);
    double v = RoundHalfEven(a[0].AsNumber(), 0);
    bool negative = v < 0;
    auto n = static_cast<uint64_t>(ClampToInt(std::fabs(v)));
    std::string out;
    do {
      int d = static_cast<int>(n % static_cast<uint64_t>(radix));
      out.insert(out.begin(), static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10));
      n /= static_cast<uint64_t>(radix);
    } while (n > 0);
    return Value::String(negative ? "-" + out : out);
  });
  RegisterIntegerFormatFunctions(t);
}

}  // namespace flowstate::query::jsonata

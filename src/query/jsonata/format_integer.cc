#include "query/jsonata/format_integer.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "query/jsonata/error.h"
#include "query/jsonata/functions.h"
#include "query/jsonata/utf8.h"

namespace flowstate::query::jsonata {

namespace {

constexpr char32_t kDigitZeros[] = {
    0x30,   0x660,  0x6F0,  0x7C0,  0x966,   0x9E6,   0xA66,   0xAE6,   0xB66,  0xBE6,  0xC66,
    0xCE6,  0xD66,  0xDE6,  0xE50,  0xED0,   0xF20,   0x1040,  0x1090,  0x17E0, 0x1810, 0x1946,
    0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0, 0xA900, 0xA9D0,
    0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6};

const char* kOnes[] = {"zero",    "one",     "two",       "three",    "four",
                       "five",    "six",     "seven",     "eight",    "nine",
                       "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                       "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
const char* kTens[] = {"",      "ten",   "twenty",  "thirty", "forty",
                       "fifty", "sixty", "seventy", "eighty", "ninety"};
struct Scale {
  double value;
  const char* name;
};
const Scale kScales[] = {{1e12, "trillion"}, {1e9, "billion"}, {1e6, "million"}, {1e3, "thousand"}};

std::string Words(double n) {
  if (n < 20) return kOnes[static_cast<int>(n)];
  if (n < 100) {
    int v = static_cast<int>(n);
    std::string s = kTens[v / 10];
    if (v % 10 != 0) s += std::string("-") + kOnes[v % 10];
    return s;
  }
  if (n < 1000) {
    int v = static_cast<int>(n);
    std::string s = std::string(kOnes[v / 100]) + " hundred";
    if (v % 100 != 0) s += " and " + Words(v % 100);
    return s;
  }
  for (const auto& scale : kScales) {
    if (n >= scale.value) {
      double lead = std::floor(n / scale.value);
      double rem = n - lead * scale.value;
      std::string s = Words(lead) + " " + scale.name;
      if (rem > 0) s += (rem < 100 ? " and " : ", ") + Words(rem);
      return s;
    }
  }
  return "";
}

std::string OrdinalWord(const std::string& word) {
  static const std::pair<const char*, const char*> kIrregular[] = {
      {"one", "first"},    {"two", "second"}, {"three", "third"},   {"five", "fifth"},
      {"eight", "eighth"}, {"nine", "ninth"}, {"twelve", "twelfth"}};
  for (const auto& [from, to] : kIrregular) {
    if (word == from) return to;
  }
  if (!word.empty() && word.back() == 'y') return word.substr(0, word.size() - 1) + "ieth";
  return word + "th";
}

std::string Roman(double value) {
  if (value >= 1e7) return FormatNumber(value);  // beyond any sensible numeral
  static const std::pair<int, const char*> kNumerals[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
      {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
  auto n = static_cast<int64_t>(value);
  std::string out;
  for (const auto& [v, s] : kNumerals) {
    while (n >= v) {
      out += s;
      n -= v;
    }
  }
  return out;
}

std::string Alpha(double value) {
  auto n = ClampToInt(value);
  std::string out;
  while (n > 0) {
    n--;
    out.insert(out.begin(), static_cast<char>('a' + n % 26));
    n /= 26;
  }
  return out;
}

std::string ToUpper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string ToLower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string TitleCase(std::string s) {
  bool start = true;
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = i;
    while (end < s.size() && std::isalpha(static_cast<unsigned char>(s[end]))) end++;
    std::string word = s.substr(i, end - i);
    if (!word.empty() && word != "and")
      word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
    out += word;
    if (end < s.size()) out.push_back(s[end]);
    i = end + 1;
    start = false;
  }
  (void)start;
  return out;
}

// Positions (digits from the right) of grouping separators in a decimal pattern.
struct Grouping {
  std::vector<std::pair<int, char32_t>> separators;
  int regular = 0;  // repeat interval when regular
};

Grouping AnalyzeGrouping(const std::u32string& pattern) {
  Grouping g;
  int digits = 0;
  for (auto it = pattern.rbegin(); it != pattern.rend(); ++it) {
    if (*it == U'#' || DigitFamilyZero(*it) != 0) {
      digits++;
    } else {
      g.separators.emplace_back(digits, *it);
    }
  }
  if (!g.separators.empty()) {
    int first = g.separators[0].first;
    bool regular = first > 0;
    for (size_t i = 0; i < g.separators.size(); ++i) {
      if (g.separators[i].first != first * static_cast<int>(i + 1) ||
          g.separators[i].second != g.separators[0].second) {
        regular = false;
      }
    }
    if (regular) g.regular = first;
  }
  return g;
}

double WordsToNumber(const std::string& text, bool* ok) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : ToLower(text)) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      cur.push_back(c);
    } else if (!cur.empty()) {
      words.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) words.push_back(cur);
  double total = 0;
  double current = 0;
  double last_scale = 0;
  *ok = true;
  for (const auto& w : words) {
    if (w == "and") continue;
    bool found = false;
    for (int i = 0; i < 20 && !found; ++i) {
      if (w == kOnes[i] || w == OrdinalWord(kOnes[i])) {
        current += i;
        found = true;
      }
    }
    for (int i = 2; i < 10 && !found; ++i) {
      if (w == kTens[i] || w == OrdinalWord(kTens[i])) {
        current += i * 10;
        found = true;
      }
    }
    if (!found && (w == "hundred" || w == "hundredth")) {
      current *= 100;
      found = true;
    }
    for (const auto& scale : kScales) {
      if (found) break;
      if (w == scale.name || w == OrdinalWord(scale.name)) {
        if (last_scale != 0 && last_scale <= scale.value) {
          total = (total + current) * scale.value;
        } else {
          total += current * scale.value;
        }
        last_scale = scale.value;
        current = 0;
        found = true;
      }
    }
    if (!found) *ok = false;
  }
  return total + current;
}

double RomanToNumber(const std::string& text) {
  auto value = [](char c) {
    switch (std::tolower(static_cast<unsigned char>(c))) {
      case 'i':
        return 1;
      case 'v':
        return 5;
      case 'x':
        return 10;
      case 'l':
        return 50;
      case 'c':
        return 100;
      case 'd':
        return 500;
      case 'm':
        return 1000;
      default:
        return 0;
    }
  };
  double total = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    int v = value(text[i]);
    if (i + 1 < text.size() && value(text[i + 1]) > v) {
      total -= v;
    } else {
      total += v;
    }
  }
  return total;
}

}  // namespace

char32_t DigitFamilyZero(char32_t c) {
  for (char32_t z : kDigitZeros) {
    if (c >= z && c <= z + 9) return z;
  }
  return 0;
}

std::string NumberToWords(double value, bool ordinal) {
  std::string s = Words(value);
  if (!ordinal) return s;
  size_t cut = s.find_last_of(" -");
  std::string head = cut == std::string::npos ? "" : s.substr(0, cut + 1);
  std::string last = cut == std::string::npos ? s : s.substr(cut + 1);
  return head + OrdinalWord(last);
}

std::string OrdinalSuffix(double value) {
  auto n = ClampToInt(std::fabs(value));
  int last_two = static_cast<int>(n % 100);
  if (last_two >= 11 && last_two <= 13) return "th";
  switch (n % 10) {
    case 1:
      return "st";
    case 2:
      return "nd";
    case 3:
      return "rd";
    default:
      return "th";
  }
}

IntegerPicture ParseIntegerPicture(const std::string& picture) {
  IntegerPicture p;
  std::string primary = picture;
  size_t semi = picture.rfind(';');
  if (semi != std::string::npos) {
    primary = picture.substr(0, semi);
    std::string modifier = picture.substr(semi + 1);
    if (!modifier.empty() && modifier[0] == 'o') p.ordinal = true;
  }
  if (primary == "A") {
    p.kind = IntegerPicture::Kind::kAlphaUpper;
    return p;
  }
  if (primary == "a") {
    p.kind = IntegerPicture::Kind::kAlphaLower;
    return p;
  }
  if (primary == "I") {
    p.kind = IntegerPicture::Kind::kRomanUpper;
    return p;
  }
  if (primary == "i") {
    p.kind = IntegerPicture::Kind::kRomanLower;
    return p;
  }
  if (primary == "W") {
    p.kind = IntegerPicture::Kind::kWordsUpper;
    return p;
  }
  if (primary == "w") {
    p.kind = IntegerPicture::Kind::kWordsLower;
    return p;
  }
  if (primary == "Ww") {
    p.kind = IntegerPicture::Kind::kWordsTitle;
    return p;
  }
  std::u32string cps = DecodeUtf8(primary);
  char32_t zero = 0;
  int mandatory = 0;
  bool any_digit = false;
  for (char32_t c : cps) {
    char32_t z = DigitFamilyZero(c);
    if (z != 0) {
      if (zero != 0 && z != zero) Fail("D3131");
      zero = z;
      mandatory++;
      any_digit = true;
    } else if (c == U'#') {
      any_digit = true;
    }
  }
  if (!any_digit) {
    Fail("D3130", -1, std::nullopt, Value::String(primary));
  }
  p.kind = IntegerPicture::Kind::kDecimal;
  p.zero = zero == 0 ? U'0' : zero;
  p.mandatory = mandatory;
  p.pattern = cps;
  return p;
}

std::string FormatIntegerWith(double value, const IntegerPicture& p) {
  bool negative = value < 0;
  double n = std::fabs(std::trunc(value));
  std::string out;
  switch (p.kind) {
    case IntegerPicture::Kind::kAlphaLower:
      out = Alpha(n);
      break;
    case IntegerPicture::Kind::kAlphaUpper:
      out = ToUpper(Alpha(n));
      break;
    case IntegerPicture::Kind::kRomanLower:
      out = Roman(n);
      break;
    case IntegerPicture::Kind::kRomanUpper:
      out = ToUpper(Roman(n));
      break;
    case IntegerPicture::Kind::kWordsLower:
      out = NumberToWords(n, p.ordinal);
      break;
    case IntegerPicture::Kind::kWordsUpper:
      out = ToUpper(NumberToWords(n, p.ordinal));
      break;
    case IntegerPicture::Kind::kWordsTitle:
      out = TitleCase(NumberToWords(n, p.ordinal));
      break;
    case IntegerPicture::Kind::kDecimal: {
      char buf[400];
      std::snprintf(buf, sizeof buf, "%.0f", n);
      std::string digits = buf;
      while (static_cast<int>(digits.size()) < p.mandatory) digits.insert(digits.begin(), '0');
      Grouping g = AnalyzeGrouping(p.pattern);
      std::u32string result;
      int count = 0;
      size_t sep_index = 0;
      for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (count > 0) {
          if (g.regular > 0) {
            if (count % g.regular == 0) result.insert(result.begin(), g.separators[0].second);
          } else if (sep_index < g.separators.size() && g.separators[sep_index].first == count) {
            result.insert(result.begin(), g.separators[sep_index].second);
            sep_index++;
          }
        }
        result.insert(result.begin(), p.zero + static_cast<char32_t>(*it - '0'));
        count++;
      }
      out = EncodeUtf8(result);
      if (p.ordinal) out += OrdinalSuffix(n);
      break;
    }
  }
  return negative ? "-" + out : out;
}

bool ParseIntegerWith(const std::string& text, const IntegerPicture& p, double* value) {
  switch (p.kind) {
    case IntegerPicture::Kind::kAlphaLower:
    case IntegerPicture::Kind::kAlphaUpper: {
      double n = 0;
      for (char c : text) {
        if (!std::isalpha(static_cast<unsigned char>(c))) return false;
        n = n * 26 + (std::tolower(static_cast<unsigned char>(c)) - 'a' + 1);
      }
      *value = n;
      return true;
    }
    case IntegerPicture::Kind::kRomanLower:
    case IntegerPicture::Kind::kRomanUpper:
      *value = RomanToNumber(text);
      return true;
    case IntegerPicture::Kind::kWordsLower:
    case IntegerPicture::Kind::kWordsUpper:
    case IntegerPicture::Kind::kWordsTitle: {
      bool ok = true;
      *value = WordsToNumber(text, &ok);
      return ok;
    }
    case IntegerPicture::Kind::kDecimal: {
      double n = 0;
      bool any = false;
      for (char32_t c : DecodeUtf8(text)) {
        char32_t z = DigitFamilyZero(c);
        if (z != 0) {
          n = n * 10 + static_cast<double>(c - z);
          any = true;
        }
      }
      *value = n;
      return any;
    }
  }
  return false;
}

void RegisterIntegerFormatFunctions(FunctionTable& t) {
  Register(t, "formatInteger", "<n-s:s>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    IntegerPicture p = ParseIntegerPicture(Arg(a, 1).AsString());
    return Value::String(FormatIntegerWith(a[0].AsNumber(), p));
  });
  Register(t, "parseInteger", "<s-s:n>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    IntegerPicture p = ParseIntegerPicture(Arg(a, 1).AsString());
    double v = 0;
    if (!ParseIntegerWith(a[0].AsString(), p, &v)) return Value();
    return Value::Number(v);
  });
}

}  // namespace flowstate::query::jsonata

// String functions: $string, $length, $substring*, case, $trim, $pad, $join, base64, URLs.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <cwctype>

#include "query/jsonata/error.h"
#include "query/jsonata/functions.h"
#include "query/jsonata/stringify.h"
#include "query/jsonata/utf8.h"

namespace flowstate::query::jsonata {

namespace {

Value Substring(const std::string& str, double start_d, const Value& length) {
  std::u32string cps = DecodeUtf8(str);
  auto len = static_cast<int64_t>(cps.size());
  auto start = ClampToInt(std::trunc(start_d));
  if (len + start < 0) start = 0;
  auto clamp = [&](int64_t i) {
    if (i < 0) i += len;
    return std::clamp<int64_t>(i, 0, len);
  };
  int64_t from = clamp(start);
  int64_t to = len;
  if (length.IsDefined()) {
    double l = length.AsNumber();
    if (l <= 0) return Value::String("");
    auto li = ClampToInt(std::trunc(l));
    int64_t end = start >= 0 ? start + li : len + start + li;
    to = clamp(end);
  }
  if (to <= from) return Value::String("");
  return Value::String(
      EncodeUtf8(cps.substr(static_cast<size_t>(from), static_cast<size_t>(to - from))));
}

std::string Trim(const std::string& s) {
  std::string out;
  bool in_space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

std::string ChangeCase(const std::string& s, bool upper) {
  std::u32string cps = DecodeUtf8(s);
  for (auto& c : cps) {
    if (c < 0x80) {
      c = static_cast<char32_t>(upper ? std::toupper(static_cast<int>(c))
                                      : std::tolower(static_cast<int>(c)));
    } else {
      c = static_cast<char32_t>(upper ? std::towupper(static_cast<wint_t>(c))
                                      : std::towlower(static_cast<wint_t>(c)));
    }
  }
  return EncodeUtf8(cps);
}

Value Pad(const std::string& str, double width_d, const std::string& pad_char) {
  std::u32string cps = DecodeUtf8(str);
  std::u32string padding = DecodeUtf8(pad_char.empty() ? " " : pad_char);
  auto width = ClampToInt(std::trunc(width_d));
  auto needed = std::abs(width) - static_cast<int64_t>(cps.size());
  if (needed <= 0) return Value::String(str);
  std::u32string fill;
  while (static_cast<int64_t>(fill.size()) < needed) fill += padding;
  fill.resize(static_cast<size_t>(needed));
  return Value::String(width > 0 ? EncodeUtf8(cps + fill) : EncodeUtf8(fill + cps));
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(const std::string& in) {
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += kBase64[(n >> 6) & 63];
    out += kBase64[n & 63];
    i += 3;
  }
  if (i + 1 == in.size()) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += kBase64[(n >> 6) & 63];
    out += "=";
  }
  return out;
}

std::string Base64Decode(const std::string& in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::strchr(kBase64, c);
    if (c == '=' || c == '\0' || p == nullptr) continue;
    buf = (buf << 6) | static_cast<uint32_t>(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFF));
    }
  }
  return out;
}

[[noreturn]] void FailUrl(const std::string& fn, const std::string& value, int64_t position) {
  Error e;
  e.code = "D3140";
  e.message = "Malformed URL passed to $" + fn + "(): " + QuoteJson(value);
  e.position = position;
  e.value = Value::String(value);
  e.function_name = fn;
  throw Failure(std::move(e));
}

Value EncodeUrl(const std::string& s, bool component, const std::string& fn, int64_t position) {
  if (HasLoneSurrogate(s)) FailUrl(fn, s, position);
  static const std::string kUnreserved = "-_.!~*'()";
  static const std::string kReserved = ";,/?:@&=+$#";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || kUnreserved.find(ch) != std::string::npos ||
        (!component && kReserved.find(ch) != std::string::npos)) {
      out.push_back(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return Value::String(out);
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

Value DecodeUrl(const std::string& s, bool component, const std::string& fn, int64_t position) {
  static const std::string kReserved = ";,/?:@&=+$#";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || Hex(s[i + 1]) < 0 || Hex(s[i + 2]) < 0) FailUrl(fn, s, position);
    char decoded = static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
    if (!component && static_cast<unsigned char>(decoded) < 0x80 &&
        kReserved.find(decoded) != std::string::npos) {
      out.append(s, i, 3);
    } else {
      out.push_back(decoded);
    }
    i += 2;
  }
  if (!ValidUtf8(out)) FailUrl(fn, s, position);
  return Value::String(out);
}

}  // namespace

void RegisterStringFunctions(FunctionTable& t) {
  Register(t, "string", "<x-b?:s>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::String(StringifyForString(a[0], ToBoolean(Arg(a, 1))));
  });
  Register(t, "length", "<s-:n>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::Number(static_cast<double>(CodePointCount(a[0].AsString())));
  });
  Register(t, "substring", "<s-nn?:s>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Substring(a[0].AsString(), Arg(a, 1).AsNumber(), Arg(a, 2));
  });
  Register(t, "substringBefore", "<s-s:s>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    if (Arg(a, 1).IsUndefined()) return a[0];
    size_t pos = a[0].AsString().find(a[1].AsString());
    if (pos == std::string::npos) return a[0];
    return Value::String(a[0].AsString().substr(0, pos));
  });
  Register(t, "substringAfter", "<s-s:s>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    if (Arg(a, 1).IsUndefined()) return a[0];
    size_t pos = a[0].AsString().find(a[1].AsString());
    if (pos == std::string::npos) return a[0];
    return Value::String(a[0].AsString().substr(pos + a[1].AsString().size()));
  });
  Register(t, "uppercase", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::String(ChangeCase(a[0].AsString(), true));
  });
  Register(t, "lowercase", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::String(ChangeCase(a[0].AsString(), false));
  });
  Register(t, "trim", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::String(Trim(a[0].AsString()));
  });
  Register(t, "pad", "<s-ns?:s>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    c.evaluator.CheckStringSize(static_cast<size_t>(std::abs(ClampToInt(Arg(a, 1).AsNumber()))) * 4,
                                c.position);
    return Pad(a[0].AsString(), Arg(a, 1).AsNumber(),
               Arg(a, 2).IsString() ? a[2].AsString() : std::string(" "));
  });
  Register(t, "join", "<a<s>s?:s>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    std::string sep = Arg(a, 1).IsString() ? a[1].AsString() : "";
    std::string out;
    bool first = true;
    for (const auto& e : a[0].AsArray().items) {
      if (!first) out += sep;
      first = false;
      out += e.AsString();
      c.evaluator.CheckStringSize(out.size(), c.position);
    }
    return Value::String(out);
  });
  Register(t, "base64encode", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::String(Base64Encode(a[0].AsString()));
  });
  Register(t, "base64decode", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return Value::String(Base64Decode(a[0].AsString()));
  });
  Register(t, "encodeUrlComponent", "<s-:s>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return EncodeUrl(a[0].AsString(), true, "encodeUrlComponent", c.position);
  });
  Register(t, "encodeUrl", "<s-:s>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return EncodeUrl(a[0].AsString(), false, "encodeUrl", c.position);
  });
  Register(t, "decodeUrlComponent", "<s-:s>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return DecodeUrl(a[0].AsString(), true, "decodeUrlComponent", c.position);
  });
  Register(t, "decodeUrl", "<s-:s>", [](CallContext& c, std::vector<Value>& a) {
    if (Arg(a, 0).IsUndefined()) return Value();
    return DecodeUrl(a[0].AsString(), false, "decodeUrl", c.position);
  });
}

}  // namespace flowstate::query::jsonata

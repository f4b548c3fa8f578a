#include "query/jsonata/stringify.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "query/jsonata/error.h"
#include "query/jsonata/function_data.h"

namespace flowstate::query::jsonata {

namespace {

void Write(const Value& v, bool pretty, int indent, std::string& out, bool exact = false);

void Newline(bool pretty, int indent, std::string& out) {
  if (!pretty) return;
  out.push_back('\n');
  out.append(static_cast<size_t>(indent) * 2, ' ');
}

void Write(const Value& v, bool pretty, int indent, std::string& out, bool exact) {
  switch (v.type()) {
    case Type::kUndefined:
    case Type::kNull:
      out += "null";
      return;
    case Type::kBool:
      out += v.AsBool() ? "true" : "false";
      return;
    case Type::kNumber:
      if (!std::isfinite(v.AsNumber())) {
        out += "null";
      } else {
        out += exact ? FormatNumber(v.AsNumber()) : NumberToString(v.AsNumber());
      }
      return;
    case Type::kString:
      out += QuoteJson(v.AsString());
      return;
    case Type::kFunction:
      out += "\"\"";
      return;
    case Type::kArray: {
      const auto& items = v.AsArray().items;
      if (items.empty()) {
        out += "[]";
        return;
      }
      out.push_back('[');
      bool first = true;
      for (const auto& e : items) {
        if (exact && e.IsUndefined()) continue;
        if (!first) out.push_back(',');
        first = false;
        Newline(pretty, indent + 1, out);
        Write(e, pretty, indent + 1, out, exact);
      }
      Newline(pretty, indent, out);
      out.push_back(']');
      return;
    }
    case Type::kObject: {
      bool first = true;
      out.push_back('{');
      for (const auto& [k, e] : v.AsObject().entries) {
        if (e.IsUndefined()) continue;
        if (!first) out.push_back(',');
        first = false;
        Newline(pretty, indent + 1, out);
        out += QuoteJson(k);
        out += pretty ? ": " : ":";
        Write(e, pretty, indent + 1, out, exact);
      }
      if (!first) Newline(pretty, indent, out);
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

std::string NumberToString(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e21) return FormatNumber(d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  return FormatNumber(std::strtod(buf, nullptr));
}

std::string QuoteJson(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else if (c == 0xED && i + 2 < s.size() &&
                   (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0) {
          // Lone surrogate: JSON.stringify escapes it.
          unsigned cp = ((c & 0x0F) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
                        (static_cast<unsigned char>(s[i + 2]) & 0x3F);
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", cp);
          out += buf;
          i += 2;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string ToJsonText(const Value& v) {
  std::string out;
  Write(v, false, 0, out, true);
  return out;
}

std::string StringifyForString(const Value& v, bool pretty) {
  if (v.IsString()) return v.AsString();
  if (v.IsFunction()) return "";
  if (v.IsNumber() && !std::isfinite(v.AsNumber())) Fail("D3001", -1, std::nullopt, v);
  std::string out;
  Write(v, pretty, 0, out);
  return out;
}

}  // namespace flowstate::query::jsonata

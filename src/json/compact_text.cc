#include "json/compact_text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace flowstate::json {
namespace {

// Extra bytes each byte takes when escaped as Dump escapes it (ensure_ascii=false): 1 for the
// two-character escapes, 5 for \u00XX, kNonAscii for bytes >= 0x80 (whose UTF-8 validation is
// left to Dump).
constexpr uint8_t kNonAscii = 0xFF;
constexpr std::array<uint8_t, 256> kEscapeExtra = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 5;
  for (char c : {'"', '\\', '\b', '\t', '\n', '\f', '\r'}) table[static_cast<uint8_t>(c)] = 1;
  for (int c = 0x80; c < 0x100; ++c) table[c] = kNonAscii;
  return table;
}();

// Writes the escaped body of an ASCII string whose escapes add `extra` bytes; `out` points at
// enough room.
char* WriteEscaped(std::string_view text, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (kEscapeExtra[c] == 0) {
      *out++ = ch;
      continue;
    }
    *out++ = '\\';
    switch (c) {
      case '"':
        *out++ = '"';
        break;
      case '\\':
        *out++ = '\\';
        break;
      case '\b':
        *out++ = 'b';
        break;
      case '\t':
        *out++ = 't';
        break;
      case '\n':
        *out++ = 'n';
        break;
      case '\f':
        *out++ = 'f';
        break;
      case '\r':
        *out++ = 'r';
        break;
      default:
        *out++ = 'u';
        *out++ = '0';
        *out++ = '0';
        *out++ = kHex[c >> 4];
        *out++ = kHex[c & 0xF];
        break;
    }
  }
  return out;
}

template <typename Integer>
void AppendInteger(Integer number, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), number);
  out.append(buffer, end);
}

}  // namespace

namespace {

// The second character of a two-character escape, by the byte it escapes.
constexpr std::array<char, 256> kShortEscape = [] {
  std::array<char, 256> table{};
  table['"'] = '"';
  table['\\'] = '\\';
  table['\b'] = 'b';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\f'] = 'f';
  table['\r'] = 'r';
  return table;
}();

// Any string: one pass to size the result, one to write it.
void AppendQuotedTwoPass(std::string_view text, std::string& out) {
  size_t extra = 0;
  for (char ch : text) {
    const uint8_t add = kEscapeExtra[static_cast<unsigned char>(ch)];
    if (add == kNonAscii) {
      out += Dump(Json(std::string(text)));  // UTF-8 validation and replacement as Dump
      return;
    }
    extra += add;
  }
  const size_t start = out.size();
  const size_t needed = start + text.size() + extra + 2;
  if (out.capacity() < needed) out.reserve(std::max(needed + 64, 2 * out.capacity()));
  out.resize(needed);
  char* cursor = out.data() + start;
  *cursor++ = '"';
  if (extra == 0) {
    std::memcpy(cursor, text.data(), text.size());
    cursor += text.size();
  } else {
    cursor = WriteEscaped(text, cursor);
  }
  *cursor = '"';
}

}  // namespace

void AppendQuoted(std::string_view text, std::string& out) {
  // One pass into room for the worst case of the strings history mostly quotes (JSON text:
  // ASCII, quotes and backslashes but no control characters), every byte a two-character
  // escape. A byte that needs more (\u00XX, or UTF-8 to validate) falls back to two passes.
  const size_t start = out.size();
  const size_t room = start + 2 * text.size() + 2;
  if (out.capacity() < room) out.reserve(std::max(room + 64, 2 * out.capacity()));
  out.resize(room);
  char* cursor = out.data() + start;
  *cursor++ = '"';
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const uint8_t extra = kEscapeExtra[c];
    if (extra == 0) {
      *cursor++ = ch;
    } else if (extra == 1) {
      *cursor++ = '\\';
      *cursor++ = kShortEscape[c];
    } else {
      out.resize(start);
      AppendQuotedTwoPass(text, out);
      return;
    }
  }
  *cursor++ = '"';
  out.resize(static_cast<size_t>(cursor - out.data()));
}

void AppendCompactText(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::null:
      out.append("null");
      return;
    case Json::value_t::boolean:
      out.append(value.get<bool>() ? "true" : "false");
      return;
    case Json::value_t::number_integer:
      AppendInteger(*value.get_ptr<const Json::number_integer_t*>(), out);
      return;
    case Json::value_t::number_unsigned:
      AppendInteger(*value.get_ptr<const Json::number_unsigned_t*>(), out);
      return;
    case Json::value_t::string:
      AppendQuoted(value.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, member] : *value.get_ptr<const Json::object_t*>()) {
        if (!first) out.push_back(',');
        first = false;
        AppendQuoted(key, out);
        out.push_back(':');
        AppendCompactText(member, out);
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const Json& item : *value.get_ptr<const Json::array_t*>()) {
        if (!first) out.push_back(',');
        first = false;
        AppendCompactText(item, out);
      }
      out.push_back(']');
      return;
    }
    default:  // floating point (shortest round-trip formatting), binary, discarded
      out += Dump(value);
      return;
  }
}

std::string CompactText(const Json& value) {
  std::string out;
  out.reserve(128);  // most payloads are small: one allocation instead of several regrowths
  AppendCompactText(value, out);
  return out;
}

namespace {

template <typename Integer>
size_t IntegerSize(Integer number) {
  char buffer[24];
  return static_cast<size_t>(std::to_chars(buffer, buffer + sizeof(buffer), number).ptr - buffer);
}

size_t QuotedSize(std::string_view text) {
  size_t size = text.size() + 2;
  for (char ch : text) {
    const uint8_t add = kEscapeExtra[static_cast<unsigned char>(ch)];
    if (add == kNonAscii) {  // as Dump validates and replaces it
      std::string quoted;
      AppendQuotedTwoPass(text, quoted);
      return quoted.size();
    }
    size += add;
  }
  return size;
}

}  // namespace

size_t CompactTextSize(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return 4;
    case Json::value_t::boolean:
      return value.get<bool>() ? 4 : 5;
    case Json::value_t::number_integer:
      return IntegerSize(*value.get_ptr<const Json::number_integer_t*>());
    case Json::value_t::number_unsigned:
      return IntegerSize(*value.get_ptr<const Json::number_unsigned_t*>());
    case Json::value_t::string:
      return QuotedSize(value.get_ref<const std::string&>());
    case Json::value_t::object: {
      const auto& members = *value.get_ptr<const Json::object_t*>();
      size_t size = 2 + (members.empty() ? 0 : members.size() - 1);  // braces, commas
      for (const auto& [key, member] : members) {
        size += QuotedSize(key) + 1 + CompactTextSize(member);
      }
      return size;
    }
    case Json::value_t::array: {
      const auto& items = *value.get_ptr<const Json::array_t*>();
      size_t size = 2 + (items.empty() ? 0 : items.size() - 1);
      for (const Json& item : items) size += CompactTextSize(item);
      return size;
    }
    default:
      return Dump(value).size();
  }
}

namespace {

// Appends `text`, already JSON (quotes and backslashes included), escaped to sit inside a JSON
// string: what AppendQuoted does to the body of a quoted string.
void AppendEmbedded(std::string_view text, std::string& out) {
  for (char ch : text) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
}

// The compact text of a string value (its literal, quotes included), written embedded; returns
// the literal's length.
size_t AppendEmbeddedString(std::string_view text, std::string& out) {
  const size_t start = out.size();
  // Room for the worst of the common case: every byte a quote or backslash, each \\\" (4).
  out.resize(start + 4 * text.size() + 4);
  char* cursor = out.data() + start;
  *cursor++ = '\\';
  *cursor++ = '"';
  size_t literal = text.size() + 2;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const uint8_t extra = kEscapeExtra[c];
    if (extra == 0) {
      *cursor++ = ch;
      continue;
    }
    if (extra == 1) {  // \" -> \\\", \\ -> \\\\, \n -> \\n
      *cursor++ = '\\';
      *cursor++ = '\\';
      if (c == '"' || c == '\\') *cursor++ = '\\';
      *cursor++ = kShortEscape[c];
      literal += 1;
      continue;
    }
    // \u00XX escapes and non-ASCII: quote it as Dump does, then embed that.
    out.resize(start);
    std::string quoted;
    AppendQuoted(text, quoted);
    AppendEmbedded(quoted, out);
    return quoted.size();
  }
  *cursor++ = '\\';
  *cursor++ = '"';
  out.resize(static_cast<size_t>(cursor - out.data()));
  return literal;
}

size_t AppendEmbeddedCompactText(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::string:
      return AppendEmbeddedString(value.get_ref<const std::string&>(), out);
    case Json::value_t::object: {
      out.push_back('{');
      size_t size = 2;
      bool first = true;
      for (const auto& [key, member] : *value.get_ptr<const Json::object_t*>()) {
        if (!first) {
          out.push_back(',');
          ++size;
        }
        first = false;
        size += AppendEmbeddedString(key, out) + 1;
        out.push_back(':');
        size += AppendEmbeddedCompactText(member, out);
      }
      out.push_back('}');
      return size;
    }
    case Json::value_t::array: {
      out.push_back('[');
      size_t size = 2;
      bool first = true;
      for (const Json& item : *value.get_ptr<const Json::array_t*>()) {
        if (!first) {
          out.push_back(',');
          ++size;
        }
        first = false;
        size += AppendEmbeddedCompactText(item, out);
      }
      out.push_back(']');
      return size;
    }
    default: {  // null, booleans and numbers: no quote or backslash in their text
      const size_t start = out.size();
      AppendCompactText(value, out);
      return out.size() - start;
    }
  }
}

}  // namespace

size_t AppendQuotedCompactText(const Json& value, std::string& out) {
  out.push_back('"');
  const size_t size = AppendEmbeddedCompactText(value, out);
  out.push_back('"');
  return size;
}

}  // namespace flowstate::json

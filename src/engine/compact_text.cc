#include "engine/compact_text.h"

#include <charconv>
#include <string_view>

namespace flowstate::engine {
namespace {

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Escapes as nlohmann does with ensure_ascii=false (ASCII input only).
void AppendAsciiString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the pending run of characters copied as they are
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\b':
        out.push_back('b');
        break;
      case '\t':
        out.push_back('t');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\f':
        out.push_back('f');
        break;
      case '\r':
        out.push_back('r');
        break;
      default:
        out.append("u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
        break;
    }
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
}

void AppendString(const std::string& text, std::string& out) {
  if (IsAscii(text)) {
    AppendAsciiString(text, out);
  } else {
    out += json::Dump(json::Json(text));  // UTF-8 validation and replacement as json::Dump
  }
}

template <typename Integer>
void AppendInteger(Integer number, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), number);
  out.append(buffer, end);
}

}  // namespace

void AppendCompactText(const json::Json& value, std::string& out) {
  switch (value.type()) {
    case json::Json::value_t::null:
      out.append("null");
      return;
    case json::Json::value_t::boolean:
      out.append(value.get<bool>() ? "true" : "false");
      return;
    case json::Json::value_t::number_integer:
      AppendInteger(*value.get_ptr<const json::Json::number_integer_t*>(), out);
      return;
    case json::Json::value_t::number_unsigned:
      AppendInteger(*value.get_ptr<const json::Json::number_unsigned_t*>(), out);
      return;
    case json::Json::value_t::string:
      AppendString(value.get_ref<const std::string&>(), out);
      return;
    case json::Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, member] : *value.get_ptr<const json::Json::object_t*>()) {
        if (!first) out.push_back(',');
        first = false;
        AppendString(key, out);
        out.push_back(':');
        AppendCompactText(member, out);
      }
      out.push_back('}');
      return;
    }
    case json::Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const json::Json& item : *value.get_ptr<const json::Json::array_t*>()) {
        if (!first) out.push_back(',');
        first = false;
        AppendCompactText(item, out);
      }
      out.push_back(']');
      return;
    }
    default:  // floating point (shortest round-trip formatting), binary, discarded
      out += json::Dump(value);
      return;
  }
}

std::string CompactText(const json::Json& value) {
  std::string out;
  out.reserve(128);  // most payloads are small: one allocation instead of several regrowths
  AppendCompactText(value, out);
  return out;
}

}  // namespace flowstate::engine

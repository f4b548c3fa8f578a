#include "query/java_text.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <system_error>

#include "json/json.h"

namespace flowstate::query {
namespace {

constexpr double kPlainLow = 1e-3;  // Java: [1e-3, 1e7) prints without an exponent
constexpr double kPlainHigh = 1e7;

void AppendJsonString(const std::string& text, std::string& out) {
  // nlohmann's dump of a string is exactly the escaped JSON string literal.
  out += json::Json(text).dump(-1, ' ', false, json::Json::error_handler_t::replace);
}

void AppendJavaJson(const json::Json& value, std::string& out) {
  switch (value.type()) {
    case json::Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) {
          out += ',';
        }
        first = false;
        AppendJsonString(key, out);
        out += ':';
        AppendJavaJson(item, out);
      }
      out += '}';
      return;
    }
    case json::Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) {
          out += ',';
        }
        first = false;
        AppendJavaJson(item, out);
      }
      out += ']';
      return;
    }
    case json::Json::value_t::string:
      AppendJsonString(value.get_ref<const std::string&>(), out);
      return;
    case json::Json::value_t::number_float:
    case json::Json::value_t::number_integer:
    case json::Json::value_t::number_unsigned:
      out += JavaNumberText(value);
      return;
    default:
      out += value.dump();
      return;
  }
}

void AppendJavaToString(const json::Json& value, std::string& out) {
  switch (value.type()) {
    case json::Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) {
          out += ", ";
        }
        first = false;
        out += key;
        out += '=';
        AppendJavaToString(item, out);
      }
      out += '}';
      return;
    }
    case json::Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) {
          out += ", ";
        }
        first = false;
        AppendJavaToString(item, out);
      }
      out += ']';
      return;
    }
    case json::Json::value_t::string:
      out += value.get_ref<const std::string&>();
      return;
    case json::Json::value_t::number_float:
    case json::Json::value_t::number_integer:
    case json::Json::value_t::number_unsigned:
      out += JavaNumberText(value);
      return;
    default:
      out += value.dump();
      return;
  }
}

}  // namespace

void AppendJavaDouble(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "Infinity" : "-Infinity";
    return;
  }
  if (value == 0) {
    out += std::signbit(value) ? "-0.0" : "0.0";
    return;
  }
  // Shortest round-trip digits in scientific form: d[.ddd]e[+-]x.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  const size_t e_pos = sci.find('e');
  const int exponent = std::atoi(sci.c_str() + e_pos + 1);
  std::string mantissa = sci.substr(0, e_pos);
  const bool negative = mantissa[0] == '-';
  if (negative) {
    mantissa.erase(0, 1);
  }
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') {
      digits += c;
    }
  }
  if (negative) {
    out += '-';
  }
  const double magnitude = std::fabs(value);
  if (magnitude >= kPlainLow && magnitude < kPlainHigh) {
    // Plain notation: the point sits after (exponent + 1) digits.
    const int point = exponent + 1;
    if (point <= 0) {
      out += "0.";
      out.append(static_cast<size_t>(-point), '0');
      out += digits;
      return;
    }
    const auto upoint = static_cast<size_t>(point);
    if (digits.size() <= upoint) {
      out += digits;
      out.append(upoint - digits.size(), '0');
      out += ".0";
      return;
    }
    out += digits.substr(0, upoint);
    out += '.';
    out += digits.substr(upoint);
    return;
  }
  out += digits[0];
  out += '.';
  out += digits.size() > 1 ? digits.substr(1) : "0";
  out += 'E';
  out += std::to_string(exponent);
}

std::string JavaNumberText(const json::Json& value) {
  if (value.is_number_integer()) {
    return value.dump();
  }
  std::string out;
  AppendJavaDouble(value.get<double>(), out);
  return out;
}

std::string JavaJsonText(const json::Json& value) {
  std::string out;
  AppendJavaJson(value, out);
  return out;
}

std::string JavaToString(const json::Json& value) {
  std::string out;
  AppendJavaToString(value, out);
  return out;
}

}  // namespace flowstate::query

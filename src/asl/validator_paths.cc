#include "asl/validator_paths.h"

#include <array>
#include <cctype>
#include <string_view>

#include "query/intrinsic.h"
#include "query/json_path.h"
#include "query/result_path.h"

namespace flowstate::asl {
namespace {

constexpr std::array<std::string_view, 18> kIntrinsics = {
    "States.Format",         "States.StringToJson",  "States.JsonToString", "States.Array",
    "States.ArrayPartition", "States.ArrayContains", "States.ArrayRange",   "States.ArrayGetItem",
    "States.ArrayLength",    "States.ArrayUnique",   "States.Base64Encode", "States.Base64Decode",
    "States.Hash",           "States.JsonMerge",     "States.MathRandom",   "States.MathAdd",
    "States.StringSplit",    "States.UUID",
};

// Brackets balanced and quotes closed from `pos` on; `inner` collects what bracket contents
// contain so reference paths can refuse filters, wildcards, unions and slices.
struct PathShape {
  bool balanced = true;
  bool has_wildcard = false;
  bool has_filter = false;
  bool has_union_or_slice = false;
  bool has_deep_scan = false;
  bool ends_with_dot = false;
};

PathShape ScanPath(std::string_view path, size_t pos) {
  PathShape shape;
  int depth = 0;
  char quote = 0;
  for (size_t i = pos; i < path.size(); ++i) {
    const char c = path[i];
    if (quote != 0) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    switch (c) {
      case '\'':
      case '"':
        if (depth > 0) quote = c;
        break;
      case '[':
        ++depth;
        break;
      case ']':
        if (--depth < 0) shape.balanced = false;
        break;
      case '*':
        shape.has_wildcard = true;
        break;
      case '?':
      case '@':
        if (depth > 0) shape.has_filter = true;
        break;
      case ',':
      case ':':
        if (depth > 0) shape.has_union_or_slice = true;
        break;
      case '.':
        if (i + 1 < path.size() && path[i + 1] == '.') shape.has_deep_scan = true;
        break;
      default:
        break;
    }
    if (!shape.balanced) break;
  }
  if (depth != 0 || quote != 0) shape.balanced = false;
  shape.ends_with_dot = !path.empty() && path.back() == '.' && quote == 0;
  return shape;
}

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Offset just past the root of a path: "$", "$$" or "$name"; npos when there is none.
size_t RootEnd(std::string_view path) {
  if (path.empty() || path[0] != '$') return std::string_view::npos;
  if (path.size() > 1 && path[1] == '$') return 2;
  size_t end = 1;
  while (end < path.size() && IsIdentifierChar(path[end])) ++end;
  return end;
}

bool HasValidSteps(std::string_view path, size_t root_end) {
  if (root_end == path.size()) return true;
  const char first = path[root_end];
  return first == '.' || first == '[';
}

}  // namespace

bool IsValidJsonPath(std::string_view path) {
  const size_t root_end = RootEnd(path);
  if (root_end == std::string_view::npos || !HasValidSteps(path, root_end)) return false;
  const PathShape shape = ScanPath(path, root_end);
  // The engine's parser has the last word: what passes here must compile there.
  return shape.balanced && !shape.ends_with_dot && query::JsonPath::Parse(path).has_value();
}

bool IsValidReferencePath(std::string_view path) {
  if (!IsValidJsonPath(path)) return false;
  const PathShape shape = ScanPath(path, RootEnd(path));
  return !shape.has_wildcard && !shape.has_filter && !shape.has_union_or_slice &&
         !shape.has_deep_scan;
}

bool IsValidIntrinsicCall(std::string_view text) {
  const size_t open = text.find('(');
  if (open == std::string_view::npos) return false;
  std::string_view name = text.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  bool known = false;
  for (std::string_view fn : kIntrinsics) known = known || fn == name;
  if (!known) return false;
  int depth = 0;
  bool in_string = false;
  size_t close = std::string_view::npos;
  for (size_t i = open; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '\'') {
        in_string = false;
      }
      continue;
    }
    if (c == '\'') {
      in_string = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth == 0) {
        close = i;
        break;
      }
    }
  }
  if (close == std::string_view::npos) return false;
  for (size_t i = close + 1; i < text.size(); ++i) {
    if (text[i] != ' ') return false;
  }
  return query::Intrinsic::Parse(text).has_value();
}

bool IsValidResultPath(std::string_view path) {
  return IsValidReferencePath(path) && query::ResultPath::Parse(path).has_value();
}

bool IsValidPayloadPath(std::string_view text) {
  return IsValidJsonPath(text) || IsValidIntrinsicCall(text);
}

bool IsValidTimestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  auto digits = [&](size_t pos, size_t count) {
    if (pos + count > text.size()) return false;
    for (size_t i = pos; i < pos + count; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    }
    return true;
  };
  if (!digits(0, 4) || text.size() < 20 || text[4] != '-' || !digits(5, 2) || text[7] != '-' ||
      !digits(8, 2) || text[10] != 'T' || !digits(11, 2) || text[13] != ':' || !digits(14, 2) ||
      text[16] != ':' || !digits(17, 2)) {
    return false;
  }
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos == start) return false;
  }
  if (pos < text.size() && text[pos] == 'Z') return pos + 1 == text.size();
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    return pos + 6 == text.size() && digits(pos + 1, 2) && text[pos + 3] == ':' &&
           digits(pos + 4, 2);
  }
  return false;
}

bool IsJsonataExpression(std::string_view text) {
  return text.size() >= 4 && text.substr(0, 2) == "{%" && text.substr(text.size() - 2) == "%}";
}

}  // namespace flowstate::asl

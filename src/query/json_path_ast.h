// The parsed form of a JSONPath, internal to the query module: the steps (tokens) of a path
// and the expression tree of its filters, as PathParser produces them and JsonPath
// (json_path.cc) evaluates them. Immutable once built.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "json/json_fwd.h"

namespace flowstate::query::jsonpath {

struct Filter;

enum class TokenKind { kProperty, kIndex, kWildcard, kSlice, kScan, kFilter };

// One step of a path. kProperty with several names and kIndex with several indexes are
// Jayway's unions (`['a','b']`, `[0,1]`).
struct Token {
  TokenKind kind = TokenKind::kProperty;
  std::vector<std::string> names;
  std::vector<int64_t> indexes;
  std::optional<int64_t> from, to, step;
  std::shared_ptr<const Filter> filter;

  bool Definite() const {
    return (kind == TokenKind::kProperty && names.size() == 1) ||
           (kind == TokenKind::kIndex && indexes.size() == 1);
  }
};

// Operand of a filter comparison.
struct Operand {
  enum class Kind { kRelative, kAbsolute, kLiteral, kRegex } kind = Kind::kLiteral;
  std::vector<Token> tokens;  // kRelative (@) / kAbsolute ($)
  std::shared_ptr<const json::Json> literal;
  std::shared_ptr<const std::regex> regex;
};

enum class FilterOp { kOr, kAnd, kNot, kExists, kEq, kNe, kLt, kLe, kGt, kGe, kRegex, kIn, kNin };

struct Filter {
  FilterOp op = FilterOp::kExists;
  std::vector<std::shared_ptr<const Filter>> children;  // kOr, kAnd, kNot
  Operand left, right;
};

// Jayway's rendering of one token: "['a']", "[0]", "[*]", "[1:2]", "..", "[?]".
void AppendCanonical(const Token& token, std::string& out);

// Parses the steps of a path from `pos` (just after its root) to the end of `text`.
// Returns false with a message in `error` when the text is not a valid path.
bool ParseSteps(std::string_view text, size_t pos, std::vector<Token>& tokens, std::string& error);

}  // namespace flowstate::query::jsonpath

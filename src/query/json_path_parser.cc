#include <cctype>

#include "json/json.h"
#include "query/json_path_ast.h"

namespace flowstate::query::jsonpath {
namespace {

using json::Json;

}  // namespace

void AppendCanonical(const Token& token, std::string& out) {
  switch (token.kind) {
    case TokenKind::kProperty:
      out += '[';
      for (size_t i = 0; i < token.names.size(); ++i) {
        out += i == 0 ? "'" : ",'";
        out += token.names[i];
        out += '\'';
      }
      out += ']';
      return;
    case TokenKind::kIndex:
      out += '[';
      for (size_t i = 0; i < token.indexes.size(); ++i) {
        if (i > 0) {
          out += ',';
        }
        out += std::to_string(token.indexes[i]);
      }
      out += ']';
      return;
    case TokenKind::kWildcard:
      out += "[*]";
      return;
    case TokenKind::kSlice:
      out += '[';
      if (token.from) {
        out += std::to_string(*token.from);
      }
      out += ':';
      if (token.to) {
        out += std::to_string(*token.to);
      }
      if (token.step) {
        out += ':' + std::to_string(*token.step);
      }
      out += ']';
      return;
    case TokenKind::kScan:
      out += "..";
      return;
    case TokenKind::kFilter:
      out += "[?]";
      return;
  }
}

// ---------------------------------------------------------------------------------------
// Parsing

class PathParser {
 public:
  PathParser(std::string_view text, size_t pos) : text_(text), pos_(pos) {}

  size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }

  // Parses steps until the end (top level) or until a character that cannot continue a
  // path (inside filters).
  bool ParseSteps(std::vector<Token>& tokens, bool in_filter) {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '.') {
        if (!ParseDot(tokens, in_filter)) {
          return false;
        }
      } else if (c == '[') {
        if (!ParseBracket(tokens)) {
          return false;
        }
      } else if (in_filter) {
        return true;
      } else {
        return Fail(std::string("unexpected character '") + c + "'");
      }
    }
    return true;
  }

  bool ParseFilterExpr(std::shared_ptr<const Filter>& out) { return ParseOr(out); }

 private:
  bool Fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
    }
    return false;
  }

  void SkipSpaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
  }

  bool Consume(std::string_view what) {
    SkipSpaces();
    if (text_.substr(pos_, what.size()) == what) {
      pos_ += what.size();
      return true;
    }
    return false;
  }

  static bool EndsName(char c, bool in_filter) {
    if (c == '.' || c == '[') {
      return true;
    }
    if (!in_filter) {
      return false;
    }
    return std::isspace(static_cast<unsigned char>(c)) != 0 || c == ')' || c == '=' || c == '!' ||
           c == '<' || c == '>' || c == '&' || c == '|' || c == ',' || c == ']';
  }

  bool ParseDot(std::vector<Token>& tokens, bool in_filter) {
    ++pos_;  // '.'
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      tokens.push_back(Token{TokenKind::kScan, {}, {}, {}, {}, {}, {}});
      if (pos_ < text_.size() && text_[pos_] == '[') {
        return ParseBracket(tokens);
      }
    } else if (pos_ < text_.size() && text_[pos_] == '[') {
      // Jayway (and so AWS) reads `$.[0]` and `$.[?(...)]` like `$[0]` and `$[?(...)]`.
      return ParseBracket(tokens);
    }
    if (pos_ < text_.size() && text_[pos_] == '*') {
      ++pos_;
      tokens.push_back(Token{TokenKind::kWildcard, {}, {}, {}, {}, {}, {}});
      return true;
    }
    const size_t start = pos_;
    while (pos_ < text_.size() && !EndsName(text_[pos_], in_filter)) {
      ++pos_;
    }
    if (pos_ == start) {
      return Fail("empty property name");
    }
    Token token;
    token.kind = TokenKind::kProperty;
    token.names.emplace_back(text_.substr(start, pos_ - start));
    tokens.push_back(std::move(token));
    return true;
  }

  bool ParseQuoted(std::string& out) {
    const char quote = text_[pos_++];
    while (pos_ < text_.size() && text_[pos_] != quote) {
      // A backslash escapes only the quote character; elsewhere it is literal.
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] == quote) {
        ++pos_;
      }
      out += text_[pos_++];
    }
    if (pos_ >= text_.size()) {
      return Fail("unterminated quoted name");
    }
    ++pos_;
    return true;
  }

  bool ParseInt(int64_t& out) {
    SkipSpaces();
    const size_t start = pos_;
    if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+')) {
      ++pos_;
    }
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
    const std::string digits(text_.substr(start, pos_ - start));
    if (digits.empty() || digits == "-" || digits == "+") {
      return false;
    }
    try {
      out = std::stoll(digits);
    } catch (...) {
      return Fail("index out of range");
    }
    SkipSpaces();
    return true;
  }

  bool ParseBracket(std::vector<Token>& tokens) {
    ++pos_;  // '['
    SkipSpaces();
    if (pos_ >= text_.size()) {
      return Fail("unterminated '['");
    }
    const char c = text_[pos_];
    Token token;
    if (c == '?') {
      ++pos_;
      if (!Consume("(")) {
        return Fail("expected '(' after '[?'");
      }
      token.kind = TokenKind::kFilter;
      if (!ParseOr(token.filter)) {
        return false;
      }
      if (!Consume(")")) {
        return Fail("expected ')' to close the filter");
      }
    } else if (c == '*') {
      ++pos_;
      token.kind = TokenKind::kWildcard;
    } else if (c == '\'' || c == '"') {
      token.kind = TokenKind::kProperty;
      do {
        SkipSpaces();
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
          return Fail("expected a quoted property name");
        }
        std::string name;
        if (!ParseQuoted(name)) {
          return false;
        }
        token.names.push_back(std::move(name));
      } while (Consume(","));
    } else if (!ParseIndexOrSlice(token)) {
      return false;
    }
    if (!Consume("]")) {
      return Fail("expected ']'");
    }
    tokens.push_back(std::move(token));
    return true;
  }

  bool ParseIndexOrSlice(Token& token) {
    int64_t first = 0;
    const bool has_first = ParseInt(first);
    if (!error_.empty()) {
      return false;
    }
    if (pos_ < text_.size() && text_[pos_] == ':') {
      token.kind = TokenKind::kSlice;
      if (has_first) {
        token.from = first;
      }
      ++pos_;
      int64_t value = 0;
      if (ParseInt(value)) {
        token.to = value;
      }
      if (pos_ < text_.size() && text_[pos_] == ':') {
        ++pos_;
        if (ParseInt(value)) {
          if (value == 0) {
            return Fail("slice step cannot be 0");
          }
          token.step = value;
        }
      }
      return error_.empty();
    }
    if (!has_first) {
      return Fail("expected an index, a slice, '*', a quoted name or a filter in '[]'");
    }
    token.kind = TokenKind::kIndex;
    token.indexes.push_back(first);
    while (Consume(",")) {
      int64_t next = 0;
      if (!ParseInt(next)) {
        return Fail("expected an index after ','");
      }
      token.indexes.push_back(next);
    }
    return true;
  }

  // Filter grammar: or := and ('||' and)* ; and := unary ('&&' unary)* ;
  // unary := '!' unary | '(' or ')' | operand [op operand].
  bool ParseOr(std::shared_ptr<const Filter>& out) {
    std::shared_ptr<const Filter> left;
    if (!ParseAnd(left)) {
      return false;
    }
    while (Consume("||")) {
      std::shared_ptr<const Filter> right;
      if (!ParseAnd(right)) {
        return false;
      }
      auto node = std::make_shared<Filter>();
      node->op = FilterOp::kOr;
      node->children = {left, right};
      left = node;
    }
    out = left;
    return true;
  }

  bool ParseAnd(std::shared_ptr<const Filter>& out) {
    std::shared_ptr<const Filter> left;
    if (!ParseUnary(left)) {
      return false;
    }
    while (Consume("&&")) {
      std::shared_ptr<const Filter> right;
      if (!ParseUnary(right)) {
        return false;
      }
      auto node = std::make_shared<Filter>();
      node->op = FilterOp::kAnd;
      node->children = {left, right};
      left = node;
    }
    out = left;
    return true;
  }

  bool ParseUnary(std::shared_ptr<const Filter>& out) {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == '!' &&
        (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '=')) {
      ++pos_;
      std::shared_ptr<const Filter> inner;
      if (!ParseUnary(inner)) {
        return false;
      }
      auto node = std::make_shared<Filter>();
      node->op = FilterOp::kNot;
      node->children = {inner};
      out = node;
      return true;
    }
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      if (!ParseOr(out)) {
        return false;
      }
      if (!Consume(")")) {
        return Fail("expected ')' in filter");
      }
      return true;
    }
    return ParseComparison(out);
  }

  bool ParseComparison(std::shared_ptr<const Filter>& out) {
    auto node = std::make_shared<Filter>();
    if (!ParseOperand(node->left)) {
      return false;
    }
    struct OpText {
      std::string_view text;
      FilterOp op;
    };
    static constexpr OpText kOps[] = {
        {"==", FilterOp::kEq}, {"!=", FilterOp::kNe},    {"<=", FilterOp::kLe},
        {">=", FilterOp::kGe}, {"=~", FilterOp::kRegex}, {"<", FilterOp::kLt},
        {">", FilterOp::kGt},  {"nin", FilterOp::kNin},  {"in", FilterOp::kIn},
    };
    node->op = FilterOp::kExists;
    for (const auto& candidate : kOps) {
      if (Consume(candidate.text)) {
        node->op = candidate.op;
        break;
      }
    }
    if (node->op != FilterOp::kExists && !ParseOperand(node->right)) {
      return false;
    }
    out = node;
    return true;
  }

  bool ParseOperand(Operand& out) {
    SkipSpaces();
    if (pos_ >= text_.size()) {
      return Fail("unexpected end of filter");
    }
    const char c = text_[pos_];
    if (c == '@' || c == '$') {
      ++pos_;
      out.kind = c == '@' ? Operand::Kind::kRelative : Operand::Kind::kAbsolute;
      return ParseSteps(out.tokens, true);
    }
    if (c == '\'' || c == '"') {
      std::string value;
      if (!ParseQuoted(value)) {
        return false;
      }
      out.literal = std::make_shared<const Json>(std::move(value));
      return true;
    }
    if (c == '/') {
      return ParseRegex(out);
    }
    if (c == '[') {
      return ParseLiteralArray(out);
    }
    return ParseScalarLiteral(out);
  }

  bool ParseRegex(Operand& out) {
    const size_t end = text_.find('/', pos_ + 1);
    if (end == std::string_view::npos) {
      return Fail("unterminated regular expression");
    }
    const std::string pattern(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    auto flags = std::regex::ECMAScript;
    while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_])) != 0) {
      if (text_[pos_] == 'i') {
        flags |= std::regex::icase;
      }
      ++pos_;
    }
    try {
      out.regex = std::make_shared<const std::regex>(pattern, flags);
    } catch (const std::regex_error&) {
      return Fail("invalid regular expression /" + pattern + "/");
    }
    out.kind = Operand::Kind::kRegex;
    return true;
  }

  bool ParseLiteralArray(Operand& out) {
    // Find the matching ']' and let the JSON parser read the literal (quotes normalised).
    int depth = 0;
    size_t end = pos_;
    std::string normalised;
    for (; end < text_.size(); ++end) {
      char c = text_[end];
      if (c == '[') {
        ++depth;
      } else if (c == ']' && --depth == 0) {
        normalised += c;
        break;
      }
      normalised += c == '\'' ? '"' : c;
    }
    if (end >= text_.size()) {
      return Fail("unterminated array literal");
    }
    auto parsed = json::Parse(normalised);
    if (!parsed) {
      return Fail("invalid array literal");
    }
    out.literal = std::make_shared<const Json>(std::move(*parsed));
    pos_ = end + 1;
    return true;
  }

  bool ParseScalarLiteral(Operand& out) {
    const size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '+') {
        break;
      }
      ++pos_;
    }
    const std::string_view word = text_.substr(start, pos_ - start);
    if (word.empty()) {
      return Fail("expected a value in filter");
    }
    auto parsed = json::Parse(word);
    if (!parsed || parsed->is_structured()) {
      return Fail("invalid literal '" + std::string(word) + "' in filter");
    }
    out.literal = std::make_shared<const Json>(std::move(*parsed));
    return true;
  }

  std::string_view text_;
  size_t pos_;
  std::string error_;
};

bool ParseSteps(std::string_view text, size_t pos, std::vector<Token>& tokens, std::string& error) {
  PathParser parser(text, pos);
  if (!parser.ParseSteps(tokens, false)) {
    error = parser.error();
    return false;
  }
  return true;
}

}  // namespace flowstate::query::jsonpath

#include "query/json_path.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <regex>

#include "base/check.h"
#include "json/json.h"
#include "query/java_text.h"

namespace flowstate::query {
namespace {

using json::Json;

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
  Json literal;
  std::shared_ptr<const std::regex> regex;
};

enum class FilterOp { kOr, kAnd, kNot, kExists, kEq, kNe, kLt, kLe, kGt, kGe, kRegex, kIn, kNin };

struct Filter {
  FilterOp op = FilterOp::kExists;
  std::vector<std::shared_ptr<const Filter>> children;  // kOr, kAnd, kNot
  Operand left, right;
};

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
      out.literal = std::move(value);
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
    out.literal = std::move(*parsed);
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
    out.literal = std::move(*parsed);
    return true;
  }

  std::string_view text_;
  size_t pos_;
  std::string error_;
};

bool IsVariableStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool IsVariableChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

struct JsonPath::Compiled {
  std::string text;
  std::string canonical;
  std::string variable;
  PathRoot root = PathRoot::kInput;
  std::vector<Token> tokens;
  // prefixes[i]: Jayway's rendering of the path through token i (definite paths only).
  std::vector<std::string> prefixes;
  std::vector<PathStep> steps;
  bool definite = true;
  bool reference = true;
};

namespace {

// ---------------------------------------------------------------------------------------
// Evaluation

class Walker {
 public:
  Walker(const Json& root_doc, std::vector<const Json*>& out) : root_doc_(root_doc), out_(out) {}

  void Walk(const std::vector<Token>& tokens, size_t idx, const Json& node) {
    if (idx == tokens.size()) {
      out_.push_back(&node);
      return;
    }
    const Token& token = tokens[idx];
    switch (token.kind) {
      case TokenKind::kProperty:
        if (node.is_object()) {
          for (const auto& name : token.names) {
            auto it = node.find(name);
            if (it != node.end()) {
              Walk(tokens, idx + 1, *it);
            }
          }
        }
        return;
      case TokenKind::kIndex:
        if (node.is_array()) {
          const auto size = static_cast<int64_t>(node.size());
          for (int64_t index : token.indexes) {
            const int64_t effective = index < 0 ? size + index : index;
            if (effective >= 0 && effective < size) {
              Walk(tokens, idx + 1, node[static_cast<size_t>(effective)]);
            }
          }
        }
        return;
      case TokenKind::kWildcard:
        if (node.is_structured()) {
          for (const auto& child : node) {
            Walk(tokens, idx + 1, child);
          }
        }
        return;
      case TokenKind::kSlice:
        WalkSlice(tokens, idx, node);
        return;
      case TokenKind::kScan:
        Scan(tokens, idx + 1, node);
        return;
      case TokenKind::kFilter:
        if (node.is_array()) {
          for (const auto& child : node) {
            if (Accept(*token.filter, child)) {
              Walk(tokens, idx + 1, child);
            }
          }
        } else if (node.is_object() && Accept(*token.filter, node)) {
          Walk(tokens, idx + 1, node);
        }
        return;
    }
  }

 private:
  void Scan(const std::vector<Token>& tokens, size_t next, const Json& node) {
    Walk(tokens, next, node);
    if (node.is_structured()) {
      for (const auto& child : node) {
        if (child.is_structured()) {
          Scan(tokens, next, child);
        }
      }
    }
  }

  void WalkSlice(const std::vector<Token>& tokens, size_t idx, const Json& node) {
    if (!node.is_array()) {
      return;
    }
    const Token& token = tokens[idx];
    const auto size = static_cast<int64_t>(node.size());
    const int64_t step = token.step.value_or(1);
    auto clamp = [size](int64_t value, int64_t low, int64_t high) {
      if (value < 0) {
        value += size;
      }
      return std::clamp(value, low, high);
    };
    if (step > 0) {
      int64_t from = token.from ? clamp(*token.from, 0, size) : 0;
      int64_t to = token.to ? clamp(*token.to, 0, size) : size;
      for (int64_t i = from; i < to; i += step) {
        Walk(tokens, idx + 1, node[static_cast<size_t>(i)]);
      }
    } else {
      int64_t from = token.from ? clamp(*token.from, -1, size - 1) : size - 1;
      int64_t to = token.to ? clamp(*token.to, -1, size - 1) : -1;
      for (int64_t i = from; i > to; i += step) {
        Walk(tokens, idx + 1, node[static_cast<size_t>(i)]);
      }
    }
  }

  // The operand's value for `node`: nullptr when a path selects nothing. Indefinite paths
  // produce an array of their matches in `storage`.
  const Json* Resolve(const Operand& operand, const Json& node, Json& storage) {
    if (operand.kind == Operand::Kind::kLiteral) {
      return &operand.literal;
    }
    const Json& start = operand.kind == Operand::Kind::kRelative ? node : root_doc_;
    std::vector<const Json*> matches;
    Walker inner(root_doc_, matches);
    inner.Walk(operand.tokens, 0, start);
    const bool definite = std::all_of(operand.tokens.begin(), operand.tokens.end(),
                                      [](const Token& t) { return t.Definite(); });
    if (definite) {
      return matches.empty() ? nullptr : matches[0];
    }
    storage = Json::array();
    for (const Json* match : matches) {
      storage.push_back(*match);
    }
    return &storage;
  }

  static bool Equal(const Json& a, const Json& b) {
    if (a.is_number() && b.is_number()) {
      if (a.is_number_integer() && b.is_number_integer()) {
        return a == b;
      }
      return a.get<double>() == b.get<double>();
    }
    return a == b;
  }

  static std::optional<int> Compare(const Json& a, const Json& b) {
    if (a.is_number() && b.is_number()) {
      const double x = a.get<double>();
      const double y = b.get<double>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.is_string() && b.is_string()) {
      const int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    return std::nullopt;
  }

  static bool Contains(const Json& haystack, const Json& needle) {
    if (!haystack.is_array()) {
      return false;
    }
    return std::any_of(haystack.begin(), haystack.end(),
                       [&needle](const Json& item) { return Equal(item, needle); });
  }

  bool Accept(const Filter& filter, const Json& node) {
    switch (filter.op) {
      case FilterOp::kOr:
        return Accept(*filter.children[0], node) || Accept(*filter.children[1], node);
      case FilterOp::kAnd:
        return Accept(*filter.children[0], node) && Accept(*filter.children[1], node);
      case FilterOp::kNot:
        return !Accept(*filter.children[0], node);
      default:
        break;
    }
    Json left_storage;
    const Json* left = Resolve(filter.left, node, left_storage);
    if (filter.op == FilterOp::kExists) {
      if (filter.left.kind == Operand::Kind::kLiteral) {
        return left->is_boolean() && left->get<bool>();
      }
      return left != nullptr;
    }
    if (filter.op == FilterOp::kRegex) {
      return left != nullptr && left->is_string() && filter.right.regex != nullptr &&
             std::regex_match(left->get_ref<const std::string&>(), *filter.right.regex);
    }
    Json right_storage;
    const Json* right = Resolve(filter.right, node, right_storage);
    if (left == nullptr || right == nullptr) {
      return filter.op == FilterOp::kNe || filter.op == FilterOp::kNin;
    }
    switch (filter.op) {
      case FilterOp::kEq:
        return Equal(*left, *right);
      case FilterOp::kNe:
        return !Equal(*left, *right);
      case FilterOp::kIn:
        return Contains(*right, *left);
      case FilterOp::kNin:
        return !Contains(*right, *left);
      default:
        break;
    }
    const std::optional<int> order = Compare(*left, *right);
    if (!order) {
      return false;
    }
    switch (filter.op) {
      case FilterOp::kLt:
        return *order < 0;
      case FilterOp::kLe:
        return *order <= 0;
      case FilterOp::kGt:
        return *order > 0;
      case FilterOp::kGe:
        return *order >= 0;
      default:
        return false;
    }
  }

  const Json& root_doc_;
  std::vector<const Json*>& out_;
};

const char* JavaClassName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      return "net.minidev.json.JSONObject";
    case Json::value_t::array:
      return "net.minidev.json.JSONArray";
    case Json::value_t::string:
      return "java.lang.String";
    case Json::value_t::boolean:
      return "java.lang.Boolean";
    case Json::value_t::number_float:
      return "java.lang.Double";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return value.get<int64_t>() >= INT32_MIN && value.get<int64_t>() <= INT32_MAX
                 ? "java.lang.Integer"
                 : "java.lang.Long";
    default:
      return "null";
  }
}

// Walks a definite path the way Jayway does without SUPPRESS_EXCEPTIONS, producing its
// PathNotFoundException message when the path selects nothing.
const Json* FindDefinite(const JsonPath::Compiled& path, const Json& root, std::string* error) {
  const Json* node = &root;
  const size_t count = path.tokens.size();
  for (size_t i = 0; i < count; ++i) {
    const Token& token = path.tokens[i];
    const bool leaf = i + 1 == count;
    const std::string& parent_path = i == 0 ? path.prefixes.front() : path.prefixes[i];
    if (token.kind == TokenKind::kProperty) {
      if (!node->is_object()) {
        if (error != nullptr) {
          std::string fragment;
          AppendCanonical(token, fragment);
          *error = "Expected to find an object with property " + fragment + " in path " +
                   parent_path + " but found '" + JavaClassName(*node) +
                   "'. This is not a json object according to the JsonProvider: "
                   "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.";
        }
        return nullptr;
      }
      auto it = node->find(token.names[0]);
      if (it == node->end()) {
        if (error != nullptr) {
          *error = leaf ? "No results for path: " + path.canonical
                        : "Missing property in path " + path.prefixes[i + 1];
        }
        return nullptr;
      }
      node = &*it;
      continue;
    }
    // Single index.
    if (!node->is_array()) {
      if (error != nullptr) {
        if (node->is_null()) {
          *error = "The path " + parent_path + " is null";
        } else {
          std::string fragment;
          AppendCanonical(token, fragment);
          *error = "Filter: " + fragment +
                   " can only be applied to arrays. Current context is: " + JavaToString(*node);
        }
      }
      return nullptr;
    }
    const auto size = static_cast<int64_t>(node->size());
    const int64_t effective = token.indexes[0] < 0 ? size + token.indexes[0] : token.indexes[0];
    if (effective < 0 || effective >= size) {
      if (error != nullptr) {
        *error = "No results for path: " + path.canonical;
      }
      return nullptr;
    }
    node = &(*node)[static_cast<size_t>(effective)];
  }
  return node;
}

const Json* RootDocument(const JsonPath::Compiled& path, const EvalContext& ctx) {
  switch (path.root) {
    case PathRoot::kInput:
      return ctx.input;
    case PathRoot::kContext:
      return ctx.context;
    case PathRoot::kVariable: {
      if (ctx.variables == nullptr || !ctx.variables->is_object()) {
        return nullptr;
      }
      auto it = ctx.variables->find(path.variable);
      return it == ctx.variables->end() ? nullptr : &*it;
    }
  }
  return nullptr;
}

}  // namespace

json::Json PathMatches::ToJson() const {
  if (definite_) {
    return single_ != nullptr ? *single_ : Json();
  }
  Json out = Json::array();
  for (const Json* match : many_) {
    out.push_back(*match);
  }
  return out;
}

base::Result<JsonPath> JsonPath::Parse(std::string_view text) {
  auto fail = [text](const std::string& why) {
    return base::Err(
        base::Status::InvalidArgument("Invalid JSONPath '" + std::string(text) + "': " + why));
  };
  if (text.empty() || text[0] != '$') {
    return fail("a path must start with '$'");
  }
  auto compiled = std::make_shared<Compiled>();
  compiled->text = std::string(text);
  size_t pos = 1;
  if (pos < text.size() && text[pos] == '$') {
    compiled->root = PathRoot::kContext;
    pos = 2;
  } else if (pos < text.size() && IsVariableStart(text[pos])) {
    compiled->root = PathRoot::kVariable;
    while (pos < text.size() && IsVariableChar(text[pos])) {
      ++pos;
    }
    compiled->variable = std::string(text.substr(1, pos - 1));
  }
  PathParser parser(text, pos);
  if (!parser.ParseSteps(compiled->tokens, false)) {
    return fail(parser.error());
  }
  // Jayway renders every root as "$": AWS evaluates the rest of the path on the document
  // the root names.
  compiled->canonical = "$";
  compiled->prefixes.push_back("$");
  for (const Token& token : compiled->tokens) {
    AppendCanonical(token, compiled->canonical);
    compiled->prefixes.push_back(compiled->canonical);
    if (!token.Definite()) {
      compiled->definite = false;
      compiled->reference = false;
    } else if (token.kind == TokenKind::kProperty) {
      compiled->steps.push_back(PathStep{token.names[0], 0, false});
    } else {
      compiled->steps.push_back(PathStep{"", token.indexes[0], true});
    }
  }
  if (!compiled->definite) {
    compiled->steps.clear();
  }
  return JsonPath(std::move(compiled));
}

const std::string& JsonPath::text() const { return compiled_->text; }
PathRoot JsonPath::root() const { return compiled_->root; }
const std::string& JsonPath::variable_name() const { return compiled_->variable; }
const std::string& JsonPath::canonical() const { return compiled_->canonical; }
const std::vector<PathStep>& JsonPath::steps() const { return compiled_->steps; }
bool JsonPath::IsDefinite() const { return compiled_->definite; }
bool JsonPath::IsReferencePath() const { return compiled_->reference; }

tl::expected<PathMatches, std::string> JsonPath::Evaluate(const EvalContext& ctx) const {
  const Compiled& path = *compiled_;
  PathMatches matches;
  matches.definite_ = path.definite;
  const Json* root = RootDocument(path, ctx);
  if (path.definite) {
    if (root == nullptr) {
      return tl::unexpected("No results for path: " + path.canonical);
    }
    std::string error;
    matches.single_ = FindDefinite(path, *root, &error);
    if (matches.single_ == nullptr) {
      return tl::unexpected(std::move(error));
    }
    return matches;
  }
  if (root != nullptr) {
    Walker walker(*root, matches.many_);
    walker.Walk(path.tokens, 0, *root);
  }
  return matches;
}

const json::Json* JsonPath::Find(const EvalContext& ctx) const {
  FS_DCHECK(IsDefinite());
  const Json* root = RootDocument(*compiled_, ctx);
  return root == nullptr ? nullptr : FindDefinite(*compiled_, *root, nullptr);
}

tl::expected<json::Json, base::AslError> JsonPath::Select(const EvalContext& ctx) const {
  auto matches = Evaluate(ctx);
  if (!matches) {
    return tl::unexpected(base::AslError{
        "States.Runtime", "Invalid path '" + compiled_->text + "' : " + matches.error()});
  }
  return matches->ToJson();
}

bool LooksLikePath(std::string_view text) { return !text.empty() && text[0] == '$'; }

}  // namespace flowstate::query

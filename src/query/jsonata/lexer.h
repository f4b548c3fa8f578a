// Lexer: turns JSONata source text into tokens on demand. Whether `/` starts a regex literal
// depends on the parser's position (prefix vs infix), so the parser asks for each token.
#pragma once
#include <string>
#include <string_view>

namespace flowstate::query::jsonata {

enum class TokenType { kEnd, kOperator, kName, kVariable, kString, kNumber, kValue, kRegex };

struct Token {
  TokenType type = TokenType::kEnd;
  std::string value;     // operator text, name, variable name (without $), string contents
  double number = 0;     // kNumber
  int value_kind = 0;    // kValue: 0 null, 1 true, 2 false
  std::string flags;     // kRegex
  int64_t position = 0;  // offset just past the token, as jsonata-js reports it
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}
  // Throws Failure (S01xx) on malformed input.
  Token Next(bool prefix);

 private:
  Token ScanRegex();
  Token ScanString(char quote);
  std::string_view src_;
  size_t pos_ = 0;
};

// Appends the UTF-8 encoding of a code point.
void AppendUtf8(std::string& out, uint32_t cp);

}  // namespace flowstate::query::jsonata

#include "query/jsonata/lexer.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "query/jsonata/error.h"

namespace flowstate::query::jsonata {

namespace {

bool IsOperatorChar(char c) { return std::strchr(".[]{}(),@#;:?+-*/%|=<>^&!~", c) != nullptr; }

bool IsNameChar(char c) {
  return !(std::isspace(static_cast<unsigned char>(c)) || IsOperatorChar(c) || c == '"' ||
           c == '\'' || c == '`');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

Token Lexer::ScanRegex() {
  // pos_ is just past the opening '/'.
  size_t start = pos_;
  int depth = 0;
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (c == '\\') {
      pos_ += 2;
      continue;
    }
    if (c == '[') depth++;
    if (c == ']' && depth > 0) depth--;
    if (c == '/' && depth == 0) {
      std::string pattern(src_.substr(start, pos_ - start));
      if (pattern.empty()) Fail("S0301", static_cast<int64_t>(pos_));
      pos_++;
      std::string flags;
      while (pos_ < src_.size() && (src_[pos_] == 'i' || src_[pos_] == 'm' || src_[pos_] == 'g' ||
                                    src_[pos_] == 's' || src_[pos_] == 'u' || src_[pos_] == 'y')) {
        flags.push_back(src_[pos_++]);
      }
      Token t;
      t.type = TokenType::kRegex;
      t.value = std::move(pattern);
      t.flags = std::move(flags);
      t.position = static_cast<int64_t>(pos_);
      return t;
    }
    pos_++;
  }
  Fail("S0302", static_cast<int64_t>(pos_));
}

Token Lexer::ScanString(char quote) {
  std::string out;
  pos_++;
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (c == '\\') {
      pos_++;
      if (pos_ >= src_.size()) break;
      char e = src_[pos_];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          auto read4 = [&](size_t at, uint32_t* cp) {
            if (at + 4 > src_.size()) return false;
            uint32_t v = 0;
            for (size_t i = 0; i < 4; ++i) {
              int h = HexValue(src_[at + i]);
              if (h < 0) return false;
              v = v * 16 + static_cast<uint32_t>(h);
            }
            *cp = v;
            return true;
          };
          uint32_t cp = 0;
          if (!read4(pos_ + 1, &cp)) Fail("S0104", static_cast<int64_t>(pos_));
          pos_ += 4;
          if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 6 < src_.size() + 1 &&
              src_.substr(pos_ + 1, 2) == "\\u") {
            uint32_t lo = 0;
            if (read4(pos_ + 3, &lo) && lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              pos_ += 6;
            }
          }
          // A lone surrogate is kept as its (ill-formed) 3-byte form so functions that
          // need well-formed text can reject it (D3140).
          AppendUtf8(out, cp);
          break;
        }
        default:
          Fail("S0103", static_cast<int64_t>(pos_), std::string(1, e));
      }
      pos_++;
      continue;
    }
    if (c == quote) {
      pos_++;
      Token t;
      t.type = TokenType::kString;
      t.value = std::move(out);
      t.position = static_cast<int64_t>(pos_);
      return t;
    }
    out.push_back(c);
    pos_++;
  }
  Fail("S0101", static_cast<int64_t>(pos_));
}

Token Lexer::Next(bool prefix) {
  // Skip whitespace and comments.
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (std::isspace(static_cast<unsigned char>(c))) {
      pos_++;
    } else if (c == '/' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '*') {
      size_t end = src_.find("*/", pos_ + 2);
      if (end == std::string_view::npos) Fail("S0106", static_cast<int64_t>(pos_));
      pos_ = end + 2;
    } else {
      break;
    }
  }
  Token t;
  if (pos_ >= src_.size()) {
    t.position = static_cast<int64_t>(pos_);
    return t;
  }
  char c = src_[pos_];
  if (prefix && c == '/') {
    pos_++;
    return ScanRegex();
  }
  auto op = [&](size_t len) {
    t.type = TokenType::kOperator;
    t.value = std::string(src_.substr(pos_, len));
    pos_ += len;
    t.position = static_cast<int64_t>(pos_);
    return t;
  };
  char n = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
  if (c == '.' && n == '.') return op(2);
  if (c == ':' && n == '=') return op(2);
  if (c == '!' && n == '=') return op(2);
  if (c == '>' && n == '=') return op(2);
  if (c == '<' && n == '=') return op(2);
  if (c == '*' && n == '*') return op(2);
  if (c == '~' && n == '>') return op(2);
  if (c == '?' && n == ':') return op(2);
  if (c == '?' && n == '?') return op(2);
  if ((c == '!' || c == '~')) Fail("S0204", static_cast<int64_t>(pos_ + 1), std::string(1, c));
  if (IsOperatorChar(c)) return op(1);
  if (c == '"' || c == '\'') return ScanString(c);
  if (c >= '0' && c <= '9') {
    // JSON-style number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?
    size_t start = pos_;
    size_t p = pos_;
    if (src_[p] == '0') {
      p++;
    } else {
      while (p < src_.size() && std::isdigit(static_cast<unsigned char>(src_[p]))) p++;
    }
    if (p + 1 < src_.size() && src_[p] == '.' &&
        std::isdigit(static_cast<unsigned char>(src_[p + 1]))) {
      p++;
      while (p < src_.size() && std::isdigit(static_cast<unsigned char>(src_[p]))) p++;
    }
    if (p < src_.size() && (src_[p] == 'e' || src_[p] == 'E')) {
      size_t q = p + 1;
      if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) q++;
      if (q < src_.size() && std::isdigit(static_cast<unsigned char>(src_[q]))) {
        while (q < src_.size() && std::isdigit(static_cast<unsigned char>(src_[q]))) q++;
        p = q;
      }
    }
    std::string text(src_.substr(start, p - start));
    double d = std::strtod(text.c_str(), nullptr);
    pos_ = p;
    if (!std::isfinite(d)) Fail("S0102", static_cast<int64_t>(pos_), text);
    t.type = TokenType::kNumber;
    t.number = d;
    t.position = static_cast<int64_t>(pos_);
    return t;
  }
  if (c == '`') {
    size_t end = src_.find('`', pos_ + 1);
    if (end == std::string_view::npos) Fail("S0105", static_cast<int64_t>(pos_));
    t.type = TokenType::kName;
    t.value = std::string(src_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    t.position = static_cast<int64_t>(pos_);
    return t;
  }
  size_t start = pos_;
  size_t p = pos_;
  if (c == '$') p++;
  while (p < src_.size() && IsNameChar(src_[p])) p++;
  std::string word(src_.substr(start, p - start));
  pos_ = p;
  t.position = static_cast<int64_t>(pos_);
  if (c == '$') {
    t.type = TokenType::kVariable;
    t.value = word.substr(1);
    return t;
  }
  if (word == "and" || word == "or" || word == "in") {
    t.type = TokenType::kOperator;
    t.value = word;
  } else if (word == "true" || word == "false" || word == "null") {
    t.type = TokenType::kValue;
    t.value_kind = word == "null" ? 0 : (word == "true" ? 1 : 2);
    t.value = word;
  } else {
    t.type = TokenType::kName;
    t.value = word;
  }
  return t;
}

}  // namespace flowstate::query::jsonata

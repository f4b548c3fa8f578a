#include "asl/validator_json_text.h"

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace flowstate::asl {
namespace {

constexpr size_t kSnippetChars = 500;   // Jackson's MAX_CONTENT_SNIPPET
constexpr size_t kMaxErrorToken = 256;  // Jackson's MAX_ERROR_TOKEN_LENGTH
constexpr std::string_view kValueList =
    "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Java counts UTF-16 units: one per code point, two above U+FFFF.
size_t Utf16Units(std::string_view text) {
  size_t units = 0;
  for (unsigned char byte : text) {
    if (!IsContinuation(byte)) units += byte >= 0xF0 ? 2 : 1;
  }
  return units;
}

std::string SourceDescription(std::string_view text) {
  std::string out = "(String)\"";
  size_t end = 0;
  size_t units = 0;
  while (end < text.size() && units < kSnippetChars) {
    const auto byte = static_cast<unsigned char>(text[end]);
    units += byte >= 0xF0 ? 2 : 1;
    ++end;
    while (end < text.size() && IsContinuation(static_cast<unsigned char>(text[end]))) ++end;
  }
  out.append(text.substr(0, end));
  out += '"';
  if (end < text.size()) {
    out += "[truncated " + std::to_string(Utf16Units(text.substr(end))) + " chars]";
  }
  return out;
}

// Decodes the code point at `pos` (invalid bytes count as themselves).
uint32_t CodePointAt(std::string_view text, size_t pos, size_t* length) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  int extra = 0;
  uint32_t cp = lead;
  if (lead >= 0xF0) {
    extra = 3;
    cp = lead & 0x07;
  } else if (lead >= 0xE0) {
    extra = 2;
    cp = lead & 0x0F;
  } else if (lead >= 0xC0) {
    extra = 1;
    cp = lead & 0x1F;
  }
  size_t len = 1;
  for (int i = 0; i < extra && pos + len < text.size(); ++i, ++len) {
    const auto byte = static_cast<unsigned char>(text[pos + len]);
    if (!IsContinuation(byte)) break;
    cp = (cp << 6) | (byte & 0x3F);
  }
  if (len != static_cast<size_t>(extra) + 1) {
    cp = lead;
    len = 1;
  }
  *length = len;
  return cp;
}

// Jackson's _getCharDesc.
std::string CharDescription(std::string_view text, size_t pos) {
  size_t length = 1;
  const uint32_t cp = CodePointAt(text, pos, &length);
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
    return "(CTRL-CHAR, code " + std::to_string(cp) + ")";
  }
  std::string out = "'" + std::string(text.substr(pos, length)) + "' (code " + std::to_string(cp);
  if (cp > 255) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string hex;
    for (uint32_t v = cp; v != 0; v >>= 4) hex.insert(hex.begin(), kHex[v & 0xF]);
    out += " / 0x" + hex;
  }
  return out + ")";
}

bool IsIdentifierPart(unsigned char byte) {
  return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
         (byte >= '0' && byte <= '9') || byte == '_' || byte == '$' || byte >= 0x80;
}

bool IsIdentifierStart(unsigned char byte) {
  return IsIdentifierPart(byte) && !(byte >= '0' && byte <= '9');
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  JsonTextCheck Run() {
    if (!ScanValueSequence()) return std::move(result_);
    result_.ok = true;
    result_.value_end = pos_;
    return std::move(result_);
  }

 private:
  struct Container {
    char kind;  // '{' or '['
    size_t start;
  };

  bool AtEnd() const { return pos_ >= text_.size(); }
  unsigned char Peek() const { return static_cast<unsigned char>(text_[pos_]); }

  bool Fail(const std::string& message, size_t ptr) {
    result_.ok = false;
    result_.location = JacksonLocation(text_, ptr);
    result_.message = message + "\n at " + result_.location;
    return false;
  }

  bool FailUnexpected(const std::string& comment) {
    const std::string desc = CharDescription(text_, pos_);
    size_t length = 1;
    CodePointAt(text_, pos_, &length);
    return Fail("Unexpected character (" + desc + "): " + comment, pos_ + length);
  }

  bool FailEof() {
    if (stack_.empty()) return Fail("Unexpected end-of-input", text_.size());
    const Container& top = stack_.back();
    return Fail(std::string("Unexpected end-of-input: expected close marker for ") +
                    (top.kind == '{' ? "Object" : "Array") + " (start marker at " +
                    JacksonLocation(text_, top.start) + ")",
                text_.size());
  }

  // Skips white space; false (with the error set) on a comment or an illegal control char.
  bool SkipWhitespace() {
    while (!AtEnd()) {
      const unsigned char c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
        continue;
      }
      if (c == '/') {
        return FailUnexpected(
            "maybe a (non-standard) comment? (not recognized as one since Feature "
            "'ALLOW_COMMENTS' not enabled for parser)");
      }
      if (c < 0x20) {
        return Fail("Illegal character (" + CharDescription(text_, pos_) +
                        "): only regular white space (\\r, \\n, \\t) is allowed between tokens",
                    pos_ + 1);
      }
      return true;
    }
    return true;
  }

  // Reads the rest of an identifier-like token starting at `start` and reports it.
  bool FailToken(size_t start) {
    // Jackson stops collecting at 256 characters and marks the cut with "...".
    size_t end = pos_;
    bool cut = false;
    while (end < text_.size() && IsIdentifierPart(static_cast<unsigned char>(text_[end]))) {
      ++end;
      if (end - start >= kMaxErrorToken) {
        cut = true;
        break;
      }
    }
    return Fail("Unrecognized token '" + std::string(text_.substr(start, end - start)) +
                    (cut ? "..." : "") + "': was expecting " + std::string(kValueList),
                end);
  }

  bool ScanLiteral(std::string_view word) {
    const size_t start = pos_;
    for (size_t i = 0; i < word.size(); ++i, ++pos_) {
      if (AtEnd() || text_[pos_] != word[i]) return FailToken(start);
    }
    if (!AtEnd() && IsIdentifierPart(Peek())) return FailToken(start);
    return true;
  }

  bool ScanString() {
    ++pos_;  // opening quote
    while (true) {
      if (AtEnd()) {
        return Fail("Unexpected end-of-input: was expecting closing quote for a string value",
                    text_.size());
      }
      const unsigned char c = Peek();
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) {
        return Fail("Illegal unquoted character (" + CharDescription(text_, pos_) +
                        "): has to be escaped using backslash to be included in string value",
                    pos_ + 1);
      }
      if (c != '\\') {
        ++pos_;
        continue;
      }
      ++pos_;
      if (AtEnd()) {
        return Fail("Unexpected end-of-input in character escape sequence", text_.size());
      }
      const unsigned char esc = Peek();
      if (esc == 'u') {
        ++pos_;
        for (int i = 0; i < 4; ++i) {
          if (AtEnd()) {
            return Fail("Unexpected end-of-input in character escape sequence", text_.size());
          }
          if (!std::isxdigit(Peek())) {
            return FailUnexpected("expected a hex-digit for character escape sequence");
          }
          ++pos_;
        }
        continue;
      }
      static constexpr std::string_view kEscapes = "\"\\/bfnrt";
      if (kEscapes.find(static_cast<char>(esc)) == std::string_view::npos) {
        size_t length = 1;
        CodePointAt(text_, pos_, &length);
        return Fail("Unrecognized character escape " + CharDescription(text_, pos_), pos_ + length);
      }
      ++pos_;
    }
  }

  bool ScanDigits() {
    while (!AtEnd() && std::isdigit(Peek())) ++pos_;
    return true;
  }

  bool ScanNumber() {
    if (Peek() == '-') {
      ++pos_;
      if (AtEnd()) return FailEof();
      if (!std::isdigit(Peek())) {
        return FailUnexpectedNumber(
            "expected digit (0-9) to follow minus sign, for valid "
            "numeric value");
      }
    }
    if (Peek() == '0' && pos_ + 1 < text_.size() && std::isdigit(Peek1())) {
      return Fail("Invalid numeric value: Leading zeroes not allowed", pos_ + 2);
    }
    ScanDigits();
    if (!AtEnd() && Peek() == '.') {
      ++pos_;
      if (AtEnd() || !std::isdigit(Peek())) {
        if (AtEnd()) return FailEof();
        return FailUnexpectedNumber("Decimal point not followed by a digit");
      }
      ScanDigits();
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      ++pos_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
      if (AtEnd() || !std::isdigit(Peek())) {
        if (AtEnd()) return FailEof();
        return FailUnexpectedNumber("Exponent indicator not followed by a digit");
      }
      ScanDigits();
    }
    return true;
  }

  unsigned char Peek1() const { return static_cast<unsigned char>(text_[pos_ + 1]); }

  bool FailUnexpectedNumber(const std::string& comment) {
    const std::string desc = CharDescription(text_, pos_);
    return Fail("Unexpected character (" + desc + ") in numeric value: " + comment, pos_ + 1);
  }

  // A value in value position; containers are pushed, scalars consumed.
  bool ScanValueStart() {
    if (!SkipWhitespace()) return false;
    if (AtEnd()) return FailEof();
    const unsigned char c = Peek();
    switch (c) {
      case '{':
      case '[':
        stack_.push_back({static_cast<char>(c), pos_});
        ++pos_;
        just_opened_ = true;
        return true;
      case '"':
        return ScanString();
      case 't':
        return ScanLiteral("true");
      case 'f':
        return ScanLiteral("false");
      case 'n':
        return ScanLiteral("null");
      case '-':
        return ScanNumber();
      case ']':
        if (!stack_.empty() && stack_.back().kind == '[') return FailUnexpected("expected a value");
        break;
      case ',':
      case '}':
        return FailUnexpected("expected a value");
      default:
        if (std::isdigit(c)) return ScanNumber();
        break;
    }
    if (IsIdentifierStart(c)) {
      const size_t start = pos_;
      ++pos_;
      return FailToken(start);
    }
    return FailUnexpected("expected a valid value " + std::string(kValueList));
  }

  bool ScanFieldName() {
    if (!SkipWhitespace()) return false;
    if (AtEnd()) return FailEof();
    if (Peek() != '"') return FailUnexpected("was expecting double-quote to start field name");
    if (!ScanString()) return false;
    if (!SkipWhitespace()) return false;
    if (AtEnd()) return FailEof();
    if (Peek() != ':') {
      return FailUnexpected("was expecting a colon to separate field name and value");
    }
    ++pos_;
    return true;
  }

  // Whole first value, iteratively.
  bool ScanValueSequence() {
    if (!ScanValueStart()) return false;
    while (!stack_.empty()) {
      const char kind = stack_.back().kind;
      if (!SkipWhitespace()) return false;
      if (AtEnd()) return FailEof();
      const unsigned char c = Peek();
      const char close = kind == '{' ? '}' : ']';
      if (just_opened_) {
        just_opened_ = false;
        if (c == static_cast<unsigned char>(close)) {
          ++pos_;
          stack_.pop_back();
          continue;
        }
      } else if (c == static_cast<unsigned char>(close)) {
        ++pos_;
        stack_.pop_back();
        continue;
      } else if (c == ',') {
        ++pos_;
      } else {
        return FailUnexpected(kind == '{' ? "was expecting comma to separate Object entries"
                                          : "was expecting comma to separate Array entries");
      }
      if (kind == '{' && !ScanFieldName()) return false;
      if (!ScanValueStart()) return false;
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  bool just_opened_ = false;
  std::vector<Container> stack_;
  JsonTextCheck result_;
};

}  // namespace

std::string JacksonLocation(std::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    } else if (text[i] == '\r') {
      if (i + 1 < offset && text[i + 1] == '\n') ++i;
      ++line;
      line_start = i + 1;
    }
  }
  const size_t column = Utf16Units(text.substr(line_start, offset - line_start)) + 1;
  return "[Source: " + SourceDescription(text) + "; line: " + std::to_string(line) +
         ", column: " + std::to_string(column) + "]";
}

JsonTextCheck CheckJsonText(std::string_view text) { return Scanner(text).Run(); }

}  // namespace flowstate::asl

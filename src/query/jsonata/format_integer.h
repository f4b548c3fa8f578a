// XPath-style integer pictures ($formatInteger, $parseInteger and date/time components):
// decimal digit patterns with grouping ("#,##0", any Unicode digit family), roman numerals,
// alphabetic sequences, English words, with cardinal/ordinal modifiers.
#pragma once
#include <string>

namespace flowstate::query::jsonata {

struct IntegerPicture {
  enum class Kind {
    kDecimal,
    kAlphaLower,
    kAlphaUpper,
    kRomanLower,
    kRomanUpper,
    kWordsLower,
    kWordsUpper,
    kWordsTitle
  };
  Kind kind = Kind::kDecimal;
  char32_t zero = U'0';    // digit family
  int mandatory = 1;       // minimum digits
  std::u32string pattern;  // the decimal pattern, for grouping positions
  bool ordinal = false;
};

// Throws Failure D3130 (unsupported sequence) / D3131 (mixed digit families).
IntegerPicture ParseIntegerPicture(const std::string& picture);
std::string FormatIntegerWith(double value, const IntegerPicture& picture);
// Returns false when the text does not match the picture.
bool ParseIntegerWith(const std::string& text, const IntegerPicture& picture, double* value);

// The zero of the Unicode decimal digit family containing `c`, or 0 if `c` is not a digit.
char32_t DigitFamilyZero(char32_t c);
std::string NumberToWords(double value, bool ordinal);
std::string OrdinalSuffix(double value);

}  // namespace flowstate::query::jsonata

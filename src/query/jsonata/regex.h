// Regex literals (`/ab+c/i`) compiled with PCRE2 in a JavaScript-compatible mode. A compiled
// Regex is immutable and shared; each search allocates its own match data, so concurrent
// evaluations may use one Regex.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flowstate::query::jsonata {

struct RegexMatch {
  size_t start = 0;  // byte offsets into the subject
  size_t end = 0;
  std::vector<std::optional<std::string>> groups;  // capture groups 1..n
};

class Regex {
 public:
  // Throws Failure (S0302-style syntax error) when PCRE2 rejects the pattern.
  static std::shared_ptr<const Regex> Compile(const std::string& pattern, const std::string& flags,
                                              int64_t position);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  // Finds the first match at or after byte offset `from`.
  bool Search(const std::string& subject, size_t from, RegexMatch* match) const;
  const std::string& pattern() const { return pattern_; }

 private:
  Regex() = default;
  void* code_ = nullptr;  // pcre2_code_8*
  std::string pattern_;
};

}  // namespace flowstate::query::jsonata

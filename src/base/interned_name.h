// InternedName: a short name whose text lives as long as the process: a string literal, or a
// copy interned with Intern (names built at run time or read back from a store). For names that
// are few and used over and over, such as history event types ("TaskStateEntered") and details
// members ("stateEnteredEventDetails"): holders refer to the text instead of owning copies. A
// std::string does not convert to one, so a temporary cannot be captured by mistake.
#pragma once

#include <cstddef>
#include <ostream>
#include <string_view>

namespace flowstate::base {

class InternedName {
 public:
  constexpr InternedName() = default;
  // From a string literal (implicit: Emit(frame, "TaskScheduled", ...) reads naturally).
  template <size_t N>
  constexpr InternedName(const char (&literal)[N]) : text_(literal, N - 1) {}  // NOLINT

  // The process-lifetime copy of `text` (thread-safe; each distinct text is stored once).
  static InternedName Intern(std::string_view text);

  constexpr std::string_view view() const { return text_; }
  constexpr operator std::string_view() const { return text_; }  // NOLINT
  constexpr bool empty() const { return text_.empty(); }
  constexpr bool starts_with(std::string_view prefix) const { return text_.starts_with(prefix); }
  constexpr bool ends_with(std::string_view suffix) const { return text_.ends_with(suffix); }

  friend constexpr bool operator==(InternedName name, std::string_view text) {
    return name.text_ == text;
  }
  friend std::ostream& operator<<(std::ostream& out, InternedName name) {
    return out << name.text_;
  }

 private:
  explicit constexpr InternedName(std::string_view interned) : text_(interned) {}
  std::string_view text_ = "";  // never a null data pointer: "" is a name too
};

}  // namespace flowstate::base

#include "query/jsonata/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "query/jsonata/error.h"

namespace flowstate::query::jsonata {

std::shared_ptr<const Regex> Regex::Compile(const std::string& pattern, const std::string& flags,
                                            int64_t position) {
  uint32_t options = PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_MATCH_UNSET_BACKREF;
  if (flags.find('i') != std::string::npos) options |= PCRE2_CASELESS;
  if (flags.find('m') != std::string::npos) options |= PCRE2_MULTILINE;
  if (flags.find('s') != std::string::npos) options |= PCRE2_DOTALL;
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_compile_context* cctx = pcre2_compile_context_create(nullptr);
  // JavaScript: `$` matches only at the very end (no trailing-newline allowance).
  pcre2_set_compile_extra_options(cctx, 0);
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    options | PCRE2_DOLLAR_ENDONLY, &error_code, &error_offset, cctx);
  pcre2_compile_context_free(cctx);
  if (code == nullptr) Fail("S0302", position, pattern);
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  auto re = std::shared_ptr<Regex>(new Regex());
  re->code_ = code;
  re->pattern_ = pattern;
  return re;
}

Regex::~Regex() {
  if (code_ != nullptr) pcre2_code_free(static_cast<pcre2_code*>(code_));
}

bool Regex::Search(const std::string& subject, size_t from, RegexMatch* match) const {
  auto* code = static_cast<pcre2_code*>(code_);
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), from,
                       from == 0 ? 0 : PCRE2_NO_UTF_CHECK, md, nullptr);
  if (rc < 0) {
    pcre2_match_data_free(md);
    return false;
  }
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
  uint32_t count = pcre2_get_ovector_count(md);
  match->start = ov[0];
  match->end = ov[1];
  match->groups.clear();
  uint32_t capture_count = 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &capture_count);
  for (uint32_t i = 1; i <= capture_count; ++i) {
    if (i < count && ov[2 * i] != PCRE2_UNSET) {
      match->groups.emplace_back(subject.substr(ov[2 * i], ov[2 * i + 1] - ov[2 * i]));
    } else {
      match->groups.emplace_back(std::nullopt);
    }
  }
  pcre2_match_data_free(md);
  return true;
}

}  // namespace flowstate::query::jsonata
